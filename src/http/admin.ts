/**
 * The admin token: reads are public (like Mailinator's inboxes), but a call that changes policy,
 * queues or rules must carry `Authorization: Bearer <--admin-token>`. Without a token configured
 * such calls answer 403, so a server never runs with its policy open to anyone by accident. The
 * comparison takes the same time whatever the guess (no timing oracle for the token).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

export function requireAdmin(req: IncomingMessage, token: string): void {
  if (token === '') throw new HttpError(403, 'forbidden', 'this call changes server state and needs --admin-token set on the server');
  const given = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!given) throw new HttpError(401, 'unauthorized', 'send the admin token as "Authorization: Bearer <token>"', { 'WWW-Authenticate': 'Bearer' });
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new HttpError(403, 'forbidden', 'the admin token is not right');
}
