/** The storage corpus as SMTP DATA payloads for the load generator: dot-stuffed (RFC 5321 §4.5.2) and ending with the end-of-data line. */
import { corpus, type CorpusKind } from './transactional.js';

export interface CorpusSpec {
  seed: number;
  /** Messages of the corpus to walk (this worker sends its share of them). */
  count: number;
  /** Only these kinds (e.g. the low-redundancy `personal` part alone); all when absent. */
  kinds?: CorpusKind[];
  share: number;
  shares: number;
}

export function dataPayload(raw: Buffer): Buffer {
  const stuffed = raw.toString('latin1').replace(/^\./gm, '..');
  return Buffer.from(`${stuffed.endsWith('\r\n') ? stuffed : `${stuffed}\r\n`}.\r\n`, 'latin1');
}

/** A function giving this worker's next payload; after its share runs out it starts over (the count bound stops the cell first). */
export function corpusPayloads(spec: CorpusSpec): () => Buffer {
  const kinds = spec.kinds ? new Set(spec.kinds) : null;
  let messages = walk();
  function* walk(): Generator<Buffer> {
    let n = 0;
    for (const message of corpus(spec.count, spec.seed)) {
      if (kinds && !kinds.has(message.kind)) continue;
      if (n++ % spec.shares === spec.share) yield dataPayload(message.raw);
    }
  }
  return () => {
    let next = messages.next();
    if (next.done) {
      messages = walk();
      next = messages.next();
    }
    return next.value ?? dataPayload(Buffer.from('Subject: empty corpus\r\n\r\n'));
  };
}
