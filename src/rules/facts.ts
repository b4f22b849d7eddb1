/**
 * What conditions test, read from a message at the end of DATA, each at most once and only if
 * a rule asks: `to` (every envelope recipient), `from` (the envelope sender and the From
 * header's address), `subject` (decoded), `ip` (the client's address) and `header:NAME` (every
 * field of that name, decoded). A field with several values matches when any value does.
 * Values are cut at MAX_VALUE_CHARS (regex.ts) and kept lower-cased too, for the operators
 * that compare without case.
 */
import { decodeHeaderValue } from '../mail/decode.js';
import { bodyStartOf, headerValue, unfoldHeaders, type HeaderFields } from '../mail/header-block.js';
import { parseAddressList } from '../mail/headers.js';
import { unmapped } from '../policy/networks.js';
import type { Incoming } from '../delivery/ingest.js';
import type { Field } from './types.js';
import { MAX_VALUE_CHARS } from './regex.js';

export interface FieldValues {
  raw: readonly string[];
  lower: readonly string[];
}

const cut = (value: string): string => (value.length > MAX_VALUE_CHARS ? value.slice(0, MAX_VALUE_CHARS) : value);

export class MessageFacts {
  private readonly cache = new Map<Field, FieldValues>();
  private headers: HeaderFields | null = null;

  constructor(private readonly incoming: Incoming) {}

  values(field: Field): FieldValues {
    let values = this.cache.get(field);
    if (!values) {
      const raw = this.read(field).map(cut);
      values = { raw, lower: raw.map((v) => v.toLowerCase()) };
      this.cache.set(field, values);
    }
    return values;
  }

  private read(field: Field): string[] {
    const { envelope } = this.incoming;
    switch (field) {
      case 'to':
        return envelope.rcptTo;
      case 'from': {
        const header = headerValue(this.headerFields(), 'from');
        const address = header === null ? undefined : parseAddressList(header)[0]?.address;
        return address !== undefined && address !== envelope.mailFrom ? [envelope.mailFrom, address] : [envelope.mailFrom];
      }
      case 'subject': {
        const subject = headerValue(this.headerFields(), 'subject');
        return [subject === null ? '' : decodeHeaderValue(subject)];
      }
      case 'ip':
        return [unmapped(envelope.remoteAddress)];
      default: {
        const name = field.slice('header:'.length);
        return this.headerFields().filter(([n]) => n === name).map(([, v]) => decodeHeaderValue(v));
      }
    }
  }

  /** The message's header block, unfolded once: it usually sits in the first DATA segment. */
  private headerFields(): HeaderFields {
    if (this.headers) return this.headers;
    const segments = this.incoming.segments;
    let head = segments[0] ?? Buffer.alloc(0);
    if (head.indexOf('\r\n\r\n') === -1 && segments.length > 1) head = Buffer.concat(segments as Buffer[]);
    this.headers = unfoldHeaders(head, 0, bodyStartOf(head));
    return this.headers;
  }
}
