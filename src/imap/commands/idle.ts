/**
 * IDLE (RFC 2177): after the `+ idling` continuation the server pushes EXISTS, EXPUNGE and FETCH
 * FLAGS as the store's events arrive (the session's onUpdate hook wakes the connection, which
 * sends idleUpdates), until the client sends DONE; the session is in its Idle state meanwhile. The idle timeout of the shell applies as for any
 * other quiet client (§3: the server may log out a client idling past its autologout timer).
 */
import { end } from '../syntax.js';
import { bad, ok, type Handler } from '../command.js';

export const idle: Handler = async ({ args, out }) => {
  end(args, 'IDLE');
  await out.send('+ idling');
  // Entering Idle reports at once what happened before IDLE, EXPUNGE included (the connection
  // asks for idleUpdates before each line it reads).
  return {
    ...ok(''),
    next: 'Idle',
    continuation: async (line) => (line.trim().toUpperCase() !== 'DONE' ? bad('Expected DONE to end IDLE') : ok('IDLE terminated')),
  };
};
