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

/**
 * Each field a compiled condition names gets a small number once, so a message's values are
 * found by array index, not by a map lookup per condition (400 conditions a message in the
 * bench's rules cell).
 */
const SLOTS = new Map<Field, number>();

export function fieldSlot(field: Field): number {
  let slot = SLOTS.get(field);
  if (slot === undefined) SLOTS.set(field, (slot = SLOTS.size));
  return slot;
}

export class MessageFacts {
  private readonly cache: Array<FieldValues | undefined> = [];
  private headers: HeaderFields | null = null;

  constructor(private readonly incoming: Incoming) {}

  values(field: Field, slot = fieldSlot(field)): FieldValues {
    let values = this.cache[slot];
    if (!values) {
      const raw = this.read(field).map(cut);
      values = { raw, lower: raw.map((v) => v.toLowerCase()) };
      this.cache[slot] = values;
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
    let end = bodyStartOf(head);
    if (end === head.length && segments.length > 1) {
      head = Buffer.concat(segments as Buffer[]);
      end = bodyStartOf(head);
    }
    this.headers = unfoldHeaders(head, 0, end);
    return this.headers;
  }
}
