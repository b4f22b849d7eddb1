/**
 * Where a recipient goes, decided at RCPT: a local inbox named after the local part, an alias
 * (--aliases, expanded here into its final targets: inboxes, relayed addresses, mbox files,
 * programs), or a refusal. Aliases are expanded at RCPT, not at DATA, so that a recipient that
 * expands to nothing or loops too deep is refused on its own (`550`) while the others go on, and
 * so that the session knows before DATA which recipients leave the system. The targets are
 * carried out at DATA by the delivery target (delivery/routed.ts), each once per transaction.
 *
 * A domain that is not ours is `not-our-domain`: whether that recipient may be relayed is the
 * session's question (who the client is), not the router's. With no --domains every domain is
 * ours (the catch-all developer default), so nothing is ever relayed: see the README, "Sending
 * mail".
 */
import { expandAlias, type ExpandContext } from '../aliases/expand.js';
import type { AliasLookup } from '../aliases/file.js';
import type { FinalTarget } from '../aliases/targets.js';
import { inboxFor, type Mailbox } from '../mail/address.js';

export type Route =
  | { kind: 'inbox'; inbox: string }
  | { kind: 'alias'; name: string; targets: FinalTarget[] }
  | { kind: 'reject'; reason: 'not-our-domain' | 'no-such-inbox' | 'alias-too-deep' };

export interface RouterOptions {
  /** Accepted domains, lower-case; empty accepts every domain. */
  domains: readonly string[];
  /** --aliases; absent: no aliases. */
  aliases?: AliasLookup;
}

export class RecipientRouter {
  private readonly domains: ReadonlySet<string>;
  private readonly expand: ExpandContext | null;

  constructor(options: RouterOptions) {
    this.domains = new Set(options.domains);
    this.expand = options.aliases ? { aliases: options.aliases, isOurDomain: (domain) => this.isOurDomain(domain), inboxOf: inboxFor } : null;
  }

  /** With no --domains, every domain is ours. */
  isOurDomain(domain: string): boolean {
    return this.domains.size === 0 || this.domains.has(domain);
  }

  route(mailbox: Mailbox): Route {
    // `<postmaster>` without a domain must always be accepted (RFC 5321 §4.1.1.3).
    const isBarePostmaster = mailbox.domain === '' && mailbox.localPart.toLowerCase() === 'postmaster';
    if (!isBarePostmaster && !this.isOurDomain(mailbox.domain)) return { kind: 'reject', reason: 'not-our-domain' };
    const inbox = inboxFor(mailbox.localPart);
    if (!inbox) return { kind: 'reject', reason: 'no-such-inbox' };
    if (!this.expand?.aliases.lookup(inbox)) return { kind: 'inbox', inbox };
    const expansion = expandAlias(inbox, this.expand);
    if (!expansion.ok) return { kind: 'reject', reason: 'alias-too-deep' };
    if (expansion.targets.length === 0) return { kind: 'reject', reason: 'no-such-inbox' };
    return { kind: 'alias', name: inbox, targets: expansion.targets };
  }
}
