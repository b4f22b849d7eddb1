/**
 * The commands valid in any state (RFC 3501 §6.1): CAPABILITY, NOOP, LOGOUT; and CHECK (§6.4.1),
 * which has nothing to flush here (every write is committed when it is answered) and so is a
 * NOOP in the Selected state. NOOP's real work, reporting what changed, is the dispatcher's.
 */
import { end } from '../syntax.js';
import { ok, type Handler } from '../command.js';

export const capability: Handler = async ({ session, args, out }) => {
  end(args, 'CAPABILITY');
  await out.send(`* CAPABILITY ${session.capabilities()}`);
  return ok('CAPABILITY completed');
};

export const noop: Handler = async ({ args }) => {
  end(args, 'NOOP');
  return ok('NOOP completed');
};

export const check: Handler = async ({ args }) => {
  end(args, 'CHECK');
  return ok('CHECK completed');
};

/** §6.1.3: the untagged BYE, then the tagged OK, then the server closes. */
export const logout: Handler = async ({ args, out }) => {
  end(args, 'LOGOUT');
  await out.send('* BYE Tidemail IMAP server logging out');
  return { ...ok('LOGOUT completed'), next: 'Logout', effect: { kind: 'close' } };
};
