/**
 * Who may open which inbox over POP3 and IMAP. Sessions ask this interface and nothing else,
 * so requiring real credentials per inbox or domain later is a new implementation here, not a
 * change to the sessions.
 */
import { inboxFromUserInput } from '../mail/address.js';

export type LoginResult = { ok: true; inbox: string } | { ok: false; reason: 'bad-user' | 'bad-credentials' };

export interface MailboxAuthenticator {
  /** `user` is an inbox name or a full address (its local part names the inbox). */
  login(user: string, password: string): Promise<LoginResult>;
}

/** Every inbox is public: any password opens it, as on Mailinator. */
export class PublicInboxes implements MailboxAuthenticator {
  async login(user: string): Promise<LoginResult> {
    const inbox = inboxFromUserInput(user);
    return inbox ? { ok: true, inbox } : { ok: false, reason: 'bad-user' };
  }
}
