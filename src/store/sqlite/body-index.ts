/**
 * The full parse of one body as the store keeps it: the summary's last fields (preview,
 * attachment count, codes, links), the kept parse that reads answer from (kept-parse.ts) and the
 * search index row. Made at append for most mail (store.ts: `PARSE_AT_APPEND_MAX_BYTES`), so the
 * message is stored parsed and shown in the commit that stores it; made by the indexer worker
 * for what is left unparsed (bigger bodies, a data dir of an older version).
 */
import { searchableBody } from '../../mail/decode.js';
import { parseBody } from '../../mail/parse.js';
import { SUMMARY_LINKS, type Address } from '../types.js';
import { keepParse } from './kept-parse.js';
import type { BodyIndex } from './protocol.js';
import { searchableAddresses } from './search.js';

export async function indexBody(raw: Buffer, subject: string, from: Address | null, to: readonly Address[]): Promise<BodyIndex> {
  const parsed = await parseBody(raw, subject);
  return {
    preview: parsed.preview,
    attachments: parsed.attachments.length,
    codes: parsed.codes,
    links: parsed.links.slice(0, SUMMARY_LINKS),
    kept: keepParse(raw, parsed),
    search: { subject, addresses: searchableAddresses(from, to), body: searchableBody(parsed) },
  };
}
