/**
 * Body sections (RFC 3501 §6.4.5 FETCH BODY[section]<partial>): parsing the section spec and
 * cutting the bytes it names out of the raw message, by the offsets of the MIME tree.
 *
 * Part numbers follow §6.4.5: the parts of a multipart are 1…n; a non-multipart message has one
 * part, 1, its body; after a message/rfc822 part, further numbers index into the encapsulated
 * message. HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT and TEXT apply to the message itself or to a
 * message/rfc822 part; MIME to any numbered part.
 */
import type { MimePart } from '../mail/mime-tree.js';
import { ImapSyntaxError, Tokenizer, astring, list } from './syntax.js';

export type SectionText = '' | 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

export interface Section {
  path: number[];
  text: SectionText;
  /** Upper-cased field names for HEADER.FIELDS[.NOT]. */
  fields: string[];
}

const SECTION = /^((?:[1-9]\d{0,5}\.)*[1-9]\d{0,5})?(?:(?:^|\.)(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME))?(?:\s+(\(.*\)))?$/i;

/** The text between the brackets of BODY[…]. */
export function parseSection(spec: string): Section {
  const match = SECTION.exec(spec);
  if (!match) throw new ImapSyntaxError(`invalid section "${spec.slice(0, 60)}"`);
  const path = match[1] ? match[1].split('.').map(Number) : [];
  const text = (match[2]?.toUpperCase() ?? '') as SectionText;
  let fields: string[] = [];
  if (text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT') {
    if (!match[3]) throw new ImapSyntaxError(`${text} needs a list of field names`);
    const items = list(new Tokenizer({ lines: [match[3]], literals: [] }).next(), 'header field names');
    if (items.length === 0) throw new ImapSyntaxError(`${text} needs at least one field name`);
    fields = items.map((t) => astring(t, 'a header field name').toUpperCase());
  } else if (match[3]) {
    throw new ImapSyntaxError('only HEADER.FIELDS takes a list');
  }
  if (text === 'MIME' && path.length === 0) throw new ImapSyntaxError('MIME needs a part number');
  return { path, text, fields };
}

/** The section spec as it is echoed in the FETCH response. */
export function sectionLabel(section: Section): string {
  const parts: string[] = [];
  if (section.path.length) parts.push(section.path.join('.'));
  if (section.text) parts.push(section.text);
  const label = parts.join('.');
  return section.fields.length ? `${label} (${section.fields.join(' ')})` : label;
}

/** The entity a part path names, or null if the message has no such part. */
function resolve(root: MimePart, path: number[]): MimePart | null {
  let container = root;
  let part: MimePart | null = root;
  for (let i = 0; i < path.length; i++) {
    const n = path[i]!;
    if (container.children.length > 0) part = container.children[n - 1] ?? null;
    else part = n === 1 ? container : null;
    if (!part) return null;
    if (i < path.length - 1) {
      if (part.message) container = part.message;
      else if (part.children.length > 0) container = part;
      else return null;
    }
  }
  return part;
}

function headerFields(raw: Buffer, entity: MimePart, fields: string[], exclude: boolean): Buffer {
  const wanted = new Set(fields.map((f) => f.toLowerCase()));
  const block = raw.toString('latin1', entity.headerStart, entity.bodyStart);
  const kept: string[] = [];
  let keeping = false;
  for (const line of block.split('\r\n')) {
    if (line === '') break;
    if (line[0] === ' ' || line[0] === '\t') {
      if (keeping) kept.push(line);
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    keeping = colon > 0 && wanted.has(name) !== exclude;
    if (keeping) kept.push(line);
  }
  return Buffer.from(kept.map((l) => `${l}\r\n`).join('') + '\r\n', 'latin1');
}

/** The bytes a section names; null if the part does not exist (the response then has an empty string). */
export function sectionBytes(raw: Buffer, tree: () => MimePart, section: Section): Buffer | null {
  // BODY[] is the message as stored: no structure needed.
  if (section.path.length === 0 && section.text === '') return raw;
  const root = tree();
  let part: MimePart | null = root;
  if (section.path.length > 0) part = resolve(root, section.path);
  if (!part) return null;
  switch (section.text) {
    case '':
      return raw.subarray(part.bodyStart, part.end);
    case 'MIME':
      return raw.subarray(part.headerStart, part.bodyStart);
  }
  // HEADER / TEXT apply to a message: the top level or an encapsulated one.
  const message = section.path.length === 0 ? root : part.message;
  if (!message) return null;
  switch (section.text) {
    case 'HEADER':
      return raw.subarray(message.headerStart, message.bodyStart);
    case 'TEXT':
      return raw.subarray(message.bodyStart, message.end);
    case 'HEADER.FIELDS':
      return headerFields(raw, message, section.fields, false);
    case 'HEADER.FIELDS.NOT':
      return headerFields(raw, message, section.fields, true);
  }
}
