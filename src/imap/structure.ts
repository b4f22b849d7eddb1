/**
 * ENVELOPE and BODY/BODYSTRUCTURE (RFC 3501 §7.4.2) from the MIME tree (mail/mime-tree.ts).
 *
 * Header values go out as received (encoded words stay encoded, as §7.4.2 expects clients to
 * decode them). Addresses are the exception: they are parsed by the one RFC 5322 address parser
 * (mail/headers.ts, shared with the listing and SEARCH), so groups, source routes and comments
 * come out as §7.4.2 wants, and a name that is not plain ASCII is re-encoded as one RFC 2047
 * encoded word rather than sent as 8-bit.
 */
import { headerValue, type HeaderFields } from '../mail/header-block.js';
import { parseAddressHeader, type AddressEntry, type ParsedMailbox } from '../mail/headers.js';
import { parseDisposition, type MimePart } from '../mail/mime-tree.js';
import { nstr, paren, rawStr, str, type Chunk } from './format.js';

function encodedName(name: string): Chunk {
  if (name === '') return 'NIL';
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(name)) return str(name);
  return str(`=?utf-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`);
}

/** At most this many addresses of one field go into an ENVELOPE. */
const MAX_ENVELOPE_ADDRESSES = 1000;

/** address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")" */
function mailboxAddress(m: ParsedMailbox): Chunk[] {
  return ['(', encodedName(m.name), ' ', nstr(m.route), ' ', m.local === '' ? 'NIL' : str(m.local), ' ', nstr(m.domain), ')'];
}

/**
 * An address list (§7.4.2): mailboxes as they are; a group as its start marker (host NIL,
 * mailbox the group name), its members, and the end marker (all four NIL).
 */
function addressList(entries: AddressEntry[]): Chunk[] {
  if (entries.length === 0) return ['NIL'];
  const out: Chunk[] = ['('];
  let count = 0;
  for (const entry of entries) {
    if (count >= MAX_ENVELOPE_ADDRESSES) break;
    if (entry.kind === 'mailbox') {
      out.push(...mailboxAddress(entry));
      count++;
      continue;
    }
    out.push('(NIL NIL ', entry.name === '' ? 'NIL' : encodedName(entry.name), ' NIL)');
    for (const member of entry.members.slice(0, MAX_ENVELOPE_ADDRESSES - count)) out.push(...mailboxAddress(member));
    count += entry.members.length;
    out.push('(NIL NIL NIL NIL)');
  }
  out.push(')');
  return out;
}

/** ENVELOPE from a message's top-level header fields (cached per message by message-cache.ts). */
export function envelopeFromHeaders(headers: HeaderFields): Chunk[] {
  const h = (name: string): string | null => headerValue(headers, name);
  const addresses = (name: string): AddressEntry[] => {
    const value = h(name);
    return value === null ? [] : parseAddressHeader(value);
  };
  const from = addresses('from');
  const sender = addresses('sender');
  const replyTo = addresses('reply-to');
  const field = (name: string): Chunk => {
    const v = h(name);
    return v === null ? 'NIL' : rawStr(v);
  };
  // §7.4.2: an absent or empty Sender or Reply-To is the From value.
  const items: Chunk[][] = [
    [field('date')],
    [field('subject')],
    addressList(from),
    addressList(sender.length ? sender : from),
    addressList(replyTo.length ? replyTo : from),
    addressList(addresses('to')),
    addressList(addresses('cc')),
    addressList(addresses('bcc')),
    [field('in-reply-to')],
    [field('message-id')],
  ];
  return ['(', ...items.flatMap((c, i) => (i === 0 ? c : [' ', ...c])), ')'];
}

export function envelope(part: MimePart): Chunk[] {
  return envelopeFromHeaders(part.headers);
}

function params(list: Array<[string, string]>): Chunk[] {
  if (list.length === 0) return ['NIL'];
  return paren(list.flatMap(([n, v]) => [str(n.toUpperCase()), rawStr(v)]));
}

function disposition(part: MimePart): Chunk[] {
  const d = parseDisposition(headerValue(part.headers, 'content-disposition'));
  if (!d) return ['NIL'];
  return ['(', str(d.type.toUpperCase()), ' ', ...params(d.params), ')'];
}

function language(part: MimePart): Chunk {
  const v = headerValue(part.headers, 'content-language');
  return v === null ? 'NIL' : rawStr(v.trim());
}

function location(part: MimePart): Chunk {
  const v = headerValue(part.headers, 'content-location');
  return v === null ? 'NIL' : rawStr(v.trim());
}

function optional(part: MimePart, name: string): Chunk {
  const v = headerValue(part.headers, name);
  return v === null ? 'NIL' : rawStr(v.trim());
}

/** body = body-type-1part / body-type-mpart; `extended` adds the extension data of BODYSTRUCTURE. */
export function bodyStructure(part: MimePart, extended: boolean): Chunk[] {
  const ct = part.contentType;
  if (part.children.length > 0) {
    const out: Chunk[] = ['('];
    for (const child of part.children) out.push(...bodyStructure(child, extended));
    out.push(' ', str(ct.subtype.toUpperCase()));
    if (extended) {
      out.push(' ', ...params(ct.params), ' ', ...disposition(part), ' ', language(part), ' ', location(part));
    }
    out.push(')');
    return out;
  }
  const fields: Chunk[] = [
    str(ct.type.toUpperCase()),
    ' ',
    str(ct.subtype.toUpperCase()),
    ' ',
    ...params(ct.params),
    ' ',
    optional(part, 'content-id'),
    ' ',
    optional(part, 'content-description'),
    ' ',
    str(part.encoding.toUpperCase()),
    ' ',
    String(part.end - part.bodyStart),
  ];
  if (ct.type === 'message' && ct.subtype === 'rfc822' && part.message) {
    fields.push(' ', ...envelope(part.message), ' ', ...bodyStructure(part.message, extended), ' ', String(part.lines));
  } else if (ct.type === 'text') {
    fields.push(' ', String(part.lines));
  }
  if (extended) fields.push(' ', optional(part, 'content-md5'), ' ', ...disposition(part), ' ', language(part), ' ', location(part));
  return ['(', ...fields, ')'];
}

