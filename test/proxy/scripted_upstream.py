"""A scripted upstream MTA for the proxy tests, on aiosmtpd (Debian's python3-aiosmtpd).

Usage: /usr/bin/python3 scripted_upstream.py PORT [SIZE_LIMIT]

Recipients script the verdicts, by their local part:
  reject...  550 5.1.1 at RCPT          defer...  451 4.3.0 at RCPT
  stall...   no answer to RCPT for 30 s drop...    the connection dropped mid-DATA (after 354
                                                   and the first line of the message)
A message containing "refuse-me" is refused at the end of DATA with 554 5.6.0.

Prints "listening PORT" once it accepts connections, then one JSON line per event:
connect, rset, dropped, and message (with the envelope and the content in base64).
"""
import asyncio
import base64
import json
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def local_part(address):
    return address.split("@", 1)[0].lower()


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        name = local_part(address)
        if name.startswith("reject"):
            return "550 5.1.1 No such user here"
        if name.startswith("defer"):
            return "451 4.3.0 Mailbox busy, try again later"
        if name.startswith("stall"):
            await asyncio.sleep(30)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Recipient ok"

    async def handle_RSET(self, server, session, envelope):
        emit("rset")
        return "250 2.0.0 Reset ok"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or b""
        if b"refuse-me" in content:
            return "554 5.6.0 Content refused by the upstream"
        emit("message", mail_from=envelope.mail_from, rcpt_tos=envelope.rcpt_tos, data=base64.b64encode(content).decode())
        return "250 2.0.0 Accepted upstream as U1"


class ScriptedSMTP(SMTP):
    def connection_made(self, transport):
        super().connection_made(transport)
        emit("connect")

    async def smtp_DATA(self, arg):
        if self.envelope.rcpt_tos and any(local_part(r).startswith("drop") for r in self.envelope.rcpt_tos):
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.readline()
            emit("dropped")
            self.transport.close()
            return
        await super().smtp_DATA(arg)


class ScriptedController(Controller):
    def factory(self):
        return ScriptedSMTP(self.handler, **self.SMTP_kwargs)


def main():
    port = int(sys.argv[1])
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 33554432
    controller = ScriptedController(Handler(), hostname="127.0.0.1", port=port, data_size_limit=size, ready_timeout=10)
    controller.start()
    print(f"listening {port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
