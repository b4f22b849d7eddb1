/**
 * IDLE (RFC 2177): after the `+ idling` continuation the server pushes EXISTS, EXPUNGE and FETCH
 * FLAGS as the store's events arrive (the session's onUpdate hook makes the shell call
 * pushUpdates), until the client sends DONE. The idle timeout of the shell applies as for any
 * other quiet client (§3: the server may log out a client idling past its autologout timer).
 */
import { end } from '../syntax.js';
import { bad, ok, type Handler } from '../command.js';

export const idle: Handler = async ({ session, args, out }) => {
  end(args, 'IDLE');
  await out.send('+ idling');
  // Anything that happened before IDLE is reported at once, EXPUNGE included.
  await session.pushUpdates(out);
  session.idling = true;
  return {
    ...ok(''),
    continuation: async (line) => {
      session.idling = false;
      if (line.trim().toUpperCase() !== 'DONE') return bad('Expected DONE to end IDLE');
      return ok('IDLE terminated');
    },
  };
};
