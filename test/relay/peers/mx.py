"""A scripted MX host for the relay tests (run with /usr/bin/python3: it needs python3-aiosmtpd).

    mx.py HOST PORT MODE

MODE: accept (250 to all), greylist (451 4.7.1 to a recipient's first RCPT, 250 after), defer
(451 to every RCPT), refuse (550 5.1.1 to every RCPT), refuse-some (550 for addresses starting
"bad", 250 for the rest), timeout (greets, then never answers DATA's end), drop (closes the
connection at the end of DATA, before any reply), auth (AUTH required: user "relay", password
"s3cret: with colon"; accepts everything after it).

Prints "ready" once listening, then one JSON line per event on stdout:
{"event": "rcpt", "address": ..., "reply": ...}, {"event": "message", "mail_from": ...,
"rcpt_tos": [...], "data": base64, "session": n}, {"event": "connect", "session": n}, and in timeout mode {"event": "data"} when the
message is in and the reply is being held back.
"""
import asyncio
import base64
import json
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
seen = set()
sessions = 0


def emit(**event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


class Handler:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        global sessions
        sessions += 1
        session.number = sessions
        emit(event="connect", session=sessions, ehlo=hostname)
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if mode == "defer":
            reply = "451 4.3.2 try again later"
        elif mode == "refuse" or (mode == "refuse-some" and address.startswith("bad")):
            reply = "550 5.1.1 no such user here"
        elif mode == "greylist" and address not in seen:
            seen.add(address)
            reply = "451 4.7.1 greylisted, come back later"
        else:
            envelope.rcpt_tos.append(address)
            reply = "250 OK"
        emit(event="rcpt", address=address, reply=reply)
        return reply

    async def handle_DATA(self, server, session, envelope):
        if mode == "timeout":
            emit(event="data", rcpt_tos=envelope.rcpt_tos)
            await asyncio.sleep(3600)
        if mode == "drop":
            server.transport.close()
            return "451 never sent"
        emit(event="message", mail_from=envelope.mail_from, rcpt_tos=envelope.rcpt_tos,
             data=base64.b64encode(envelope.original_content or envelope.content).decode(), session=getattr(session, "number", 0))
        return "250 2.0.0 queued as test"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"relay" and auth_data.password == b"s3cret: with colon"
    emit(event="auth", mechanism=mechanism, ok=ok)
    return AuthResult(success=ok)


class Quiet(Controller):
    def factory(self):
        if mode == "auth":
            return SMTP(self.handler, enable_SMTPUTF8=True, decode_data=False, hostname="mx.test",
                        authenticator=authenticator, auth_required=True, auth_require_tls=False)
        return SMTP(self.handler, enable_SMTPUTF8=True, decode_data=False, hostname="mx.test")


controller = Quiet(Handler(), hostname=host, port=port)
controller.start()
emit(event="ready")
print("ready", flush=True)
try:
    sys.stdin.read()
finally:
    controller.stop()
