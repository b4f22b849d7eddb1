/**
 * ENVELOPE and BODY/BODYSTRUCTURE (RFC 3501 §7.4.2) from the MIME tree (mail/mime-tree.ts).
 *
 * Header values go out as received (encoded words stay encoded, as §7.4.2 expects clients to
 * decode them). Address names are the exception: they are parsed and decoded as for the listing
 * (mail/headers.ts), so a name that is not plain ASCII is re-encoded as one RFC 2047 encoded word
 * rather than sent as 8-bit.
 */
import { headerValue } from '../mail/header-block.js';
import { parseAddressList } from '../mail/headers.js';
import type { Address } from '../mail/model.js';
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

/** The addresses of a field, parsed and decoded as the listing parses them (mail/headers.ts). */
function addresses(value: string | null): Address[] {
  return value === null ? [] : parseAddressList(value).slice(0, MAX_ENVELOPE_ADDRESSES);
}

/** address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")" */
function addressList(list: Address[]): Chunk[] {
  if (list.length === 0) return ['NIL'];
  const out: Chunk[] = ['('];
  for (const a of list) {
    const at = a.address.lastIndexOf('@');
    const mailbox = at === -1 ? a.address : a.address.slice(0, at);
    const host = at === -1 ? null : a.address.slice(at + 1);
    out.push('(', encodedName(a.name), ' NIL ', mailbox === '' ? 'NIL' : str(mailbox), ' ', nstr(host), ')');
  }
  out.push(')');
  return out;
}

export function envelope(part: MimePart): Chunk[] {
  const h = (name: string): string | null => headerValue(part.headers, name);
  const from = addresses(h('from'));
  const sender = addresses(h('sender'));
  const replyTo = addresses(h('reply-to'));
  const field = (name: string): Chunk => {
    const v = h(name);
    return v === null ? 'NIL' : rawStr(v);
  };
  const items: Chunk[][] = [
    [field('date')],
    [field('subject')],
    addressList(from),
    addressList(sender.length ? sender : from),
    addressList(replyTo.length ? replyTo : from),
    addressList(addresses(h('to'))),
    addressList(addresses(h('cc'))),
    addressList(addresses(h('bcc'))),
    [field('in-reply-to')],
    [field('message-id')],
  ];
  return ['(', ...items.flatMap((c, i) => (i === 0 ? c : [' ', ...c])), ')'];
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

