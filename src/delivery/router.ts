/**
 * Where a recipient goes. Today: a local inbox named after the local part, or a refusal when
 * the domain is not one of ours (we are not an open relay). Aliases, agent inboxes and the
 * relay queue are further kinds of Route.
 */
import { inboxFor, type Mailbox } from '../mail/address.js';

export type Route = { kind: 'inbox'; inbox: string } | { kind: 'reject'; reason: 'not-our-domain' | 'no-such-inbox' };

export interface RouterOptions {
  /** Accepted domains, lower-case; empty accepts every domain. */
  domains: readonly string[];
}

export class RecipientRouter {
  private readonly domains: ReadonlySet<string>;

  constructor(options: RouterOptions) {
    this.domains = new Set(options.domains);
  }

  route(mailbox: Mailbox): Route {
    // `<postmaster>` without a domain must always be accepted (RFC 5321 §4.1.1.3).
    const isBarePostmaster = mailbox.domain === '' && mailbox.localPart.toLowerCase() === 'postmaster';
    if (!isBarePostmaster && this.domains.size > 0 && !this.domains.has(mailbox.domain)) return { kind: 'reject', reason: 'not-our-domain' };
    const inbox = inboxFor(mailbox.localPart);
    return inbox ? { kind: 'inbox', inbox } : { kind: 'reject', reason: 'no-such-inbox' };
  }
}
