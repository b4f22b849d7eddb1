/**
 * `--greylist-whitelist FILE`: who is never greylisted. One entry a line; blank lines and `#`
 * comments are skipped; addresses and names compare case-insensitively:
 *
 *     192.0.2.7                                       a client address
 *     198.51.100.0/24                                 a client CIDR prefix (IPv4 or IPv6)
 *     triplet 192.0.2.7 alice@example.com bob@ours.test   an exact triplet: client (address or
 *                                                     CIDR), envelope sender (`<>` for none), recipient
 *     helo mx.example.com 192.0.2.0/24 bob@ours.test  a (HELO name, network, recipient) triplet, as
 *                                                     Kamaelia had: that HELO from that network
 *     domain ours.test                                a recipient domain never greylisted
 *
 * A line that does not parse is logged with its line number and skipped; the rest still apply.
 * The file is re-read when it changes (reloaded-file.ts: checked at most once a second when it
 * is asked), so an operator edits it without a restart; a missing or unreadable file whitelists
 * nothing and is reported once per change.
 */
import { ReloadedFile } from '../reloaded-file.js';
import { parseMailbox } from '../mail/address.js';
import { NetworkList } from './networks.js';


/** What the greylist is asked about, at RCPT. */
export interface GreyCandidate {
  ip: string;
  helo: string;
  sender: string;
  recipient: string;
}

/** The parsed file: indexes by what each kind of line matches on. */
interface Rules {
  clients: NetworkList;
  /** `sender\nrecipient` → the client prefixes of the triplets naming them. */
  triplets: Map<string, NetworkList[]>;
  /** `helo\nrecipient` → the networks of the HELO triplets naming them. */
  helos: Map<string, NetworkList[]>;
  domains: Set<string>;
  lines: number;
}

const EMPTY: Rules = { clients: new NetworkList([]), triplets: new Map(), helos: new Map(), domains: new Set(), lines: 0 };

export class GreylistWhitelist {
  private readonly file: ReloadedFile<Rules>;

  constructor(
    readonly path: string,
    now: () => number,
    onProblem: (message: string) => void,
  ) {
    this.file = new ReloadedFile(path, parseWhitelist, () => EMPTY, now, onProblem, 'greylist whitelist', true);
  }

  /** How many entries the file holds now. */
  get size(): number {
    return this.file.current().lines;
  }

  /** Why this candidate is whitelisted (`client`, `triplet`, `helo`, `domain`), or null. */
  match(candidate: GreyCandidate): string | null {
    const r = this.file.current();
    const recipient = candidate.recipient.toLowerCase();
    if (r.clients.has(candidate.ip)) return 'client';
    if (r.domains.has(recipient.slice(recipient.lastIndexOf('@') + 1))) return 'domain';
    if (r.triplets.get(`${candidate.sender.toLowerCase()}\n${recipient}`)?.some((list) => list.has(candidate.ip))) return 'triplet';
    if (r.helos.get(`${candidate.helo.toLowerCase()}\n${recipient}`)?.some((list) => list.has(candidate.ip))) return 'helo';
    return null;
  }
}

/** Parse the file's text; each bad line is reported with its 1-based number and skipped. */
export function parseWhitelist(text: string, onBadLine: (line: number, reason: string) => void): Rules {
  const clients: string[] = [];
  const rules: Rules = { clients: EMPTY.clients, triplets: new Map(), helos: new Map(), domains: new Set(), lines: 0 };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    try {
      const fields = line.split(/\s+/);
      const [word, ...rest] = fields as [string, ...string[]];
      switch (word.toLowerCase()) {
        case 'triplet': {
          const [client, sender, recipient] = expect(rest, 3, 'triplet CLIENT SENDER RECIPIENT');
          addTo(rules.triplets, `${senderOf(sender)}\n${addressOf(recipient)}`, prefix(client));
          break;
        }
        case 'helo': {
          const [helo, network, recipient] = expect(rest, 3, 'helo NAME NETWORK RECIPIENT');
          addTo(rules.helos, `${helo.toLowerCase()}\n${addressOf(recipient)}`, prefix(network));
          break;
        }
        case 'domain': {
          const [domain] = expect(rest, 1, 'domain NAME');
          if (!parseMailbox(`x@${domain}`).ok) throw new Error(`"${domain}" is not a domain name`);
          rules.domains.add(domain.toLowerCase());
          break;
        }
        default:
          expect(fields, 1, 'an address, a CIDR prefix, or a line starting with triplet, helo or domain');
          prefix(word);
          clients.push(word);
      }
      rules.lines++;
    } catch (error) {
      onBadLine(index + 1, (error as Error).message);
    }
  });
  rules.clients = new NetworkList(clients);
  return rules;
}

function expect(fields: string[], count: number, form: string): string[] {
  if (fields.length !== count) throw new Error(`expected ${form}`);
  return fields;
}

function prefix(text: string): NetworkList {
  return new NetworkList([text]);
}

function addressOf(text: string): string {
  const parsed = parseMailbox(text.replace(/^<(.*)>$/, '$1'));
  if (!parsed.ok) throw new Error(`"${text}" is not an address: ${parsed.reason}`);
  return parsed.mailbox.address.toLowerCase();
}

function senderOf(text: string): string {
  return text === '<>' ? '' : addressOf(text);
}

function addTo(index: Map<string, NetworkList[]>, key: string, list: NetworkList): void {
  const lists = index.get(key);
  if (lists) lists.push(list);
  else index.set(key, [list]);
}
