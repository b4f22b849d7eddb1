/**
 * Getting into the Authenticated state (RFC 3501 §6.2): LOGIN, AUTHENTICATE PLAIN (RFC 4616)
 * with an initial response (SASL-IR, RFC 4959) or after a `+` continuation, and STARTTLS
 * (§6.2.1). Credentials are checked by the MailboxAuthenticator only, so per-inbox passwords
 * later change nothing here. LOGIN stays allowed without TLS (no LOGINDISABLED): inboxes are
 * public, there is no secret to protect yet.
 */
import { ImapSyntaxError, astring, atom, end } from '../syntax.js';
import { bad, no, ok, type Completion, type Handler } from '../command.js';
import type { ImapSession } from '../session.js';

async function login(session: ImapSession, user: string, password: string): Promise<Completion> {
  const result = await session.services.auth.login(user, password);
  if (!result.ok) {
    const text = result.reason === 'bad-user' ? 'Invalid user name: use an inbox name or an address' : 'Invalid credentials';
    return no(text, 'AUTHENTICATIONFAILED');
  }
  return { ...ok(`Logged in to inbox ${result.inbox}`, `CAPABILITY ${session.capabilities('Authenticated')}`), next: 'Authenticated', inbox: result.inbox };
}

export const loginCommand: Handler = async ({ session, args }) => {
  const user = astring(args.next(), 'a user name');
  const password = astring(args.next(), 'a password');
  end(args, 'LOGIN');
  return login(session, user, password);
};

/** RFC 4616: [authzid] NUL authcid NUL passwd, base64 (RFC 4959 §3: "=" is an empty response). */
async function plain(session: ImapSession, response: string): Promise<Completion> {
  const text = response.trim();
  if (text === '*') return bad('AUTHENTICATE cancelled');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || (text.length % 4 !== 0 && text !== '=')) return bad('Invalid base64 in AUTHENTICATE response');
  const decoded = Buffer.from(text === '=' ? '' : text, 'base64').toString('utf8');
  const fields = decoded.split('\0');
  if (fields.length !== 3) return bad('AUTHENTICATE PLAIN expects authzid NUL authcid NUL password');
  const [authzid, authcid, password] = fields as [string, string, string];
  if (authzid !== '' && authzid !== authcid) return no('Acting as another user is not supported', 'AUTHORIZATIONFAILED');
  return login(session, authcid, password);
}

export const authenticate: Handler = async ({ session, args, out }) => {
  const mechanism = atom(args.next(), 'a SASL mechanism').toUpperCase();
  const initial = args.next();
  end(args, 'AUTHENTICATE');
  if (mechanism !== 'PLAIN') return no(`Mechanism ${mechanism.slice(0, 30)} is not supported; use PLAIN`, 'CANNOT');
  if (initial) {
    if (initial.kind !== 'atom') throw new ImapSyntaxError('the initial response must be base64');
    return plain(session, initial.value);
  }
  await out.send('+ ');
  return { ...ok(''), next: 'Authenticating', continuation: (line) => plain(session, line) };
};

export const startTls: Handler = async ({ session, args }) => {
  end(args, 'STARTTLS');
  if (session.tls) return bad('TLS is already active');
  return { ...ok('Begin TLS negotiation now'), effect: { kind: 'start-tls' } };
};
