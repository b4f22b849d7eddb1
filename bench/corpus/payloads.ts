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

/** A corpus message as sent: its DATA payload and its envelope sender. */
export interface CorpusPayload {
  payload: Buffer;
  /** The bounce address at the From header's domain, as senders' mailers set it (the store's sender family). */
  mailFrom: string;
}

/** The envelope sender of a corpus message: a bounce address at its From domain. */
export function mailFromOf(raw: Buffer, n: number): string {
  const from = /^From: .*@([^>\s]+)>?\r$/m.exec(raw.subarray(0, 8192).toString('latin1'));
  return `bounce-${n}@${from?.[1] ?? 'corpus.example'}`;
}

/** A function giving this worker's next message; after its share runs out it starts over (the count bound stops the cell first). */
export function corpusPayloads(spec: CorpusSpec): () => CorpusPayload {
  const kinds = spec.kinds ? new Set(spec.kinds) : null;
  let messages = walk();
  function* walk(): Generator<CorpusPayload> {
    let n = 0;
    for (const message of corpus(spec.count, spec.seed)) {
      if (kinds && !kinds.has(message.kind)) continue;
      if (n++ % spec.shares === spec.share) yield { payload: dataPayload(message.raw), mailFrom: mailFromOf(message.raw, n) };
    }
  }
  return () => {
    let next = messages.next();
    if (next.done) {
      messages = walk();
      next = messages.next();
    }
    return next.value ?? { payload: dataPayload(Buffer.from('Subject: empty corpus\r\n\r\n')), mailFrom: 'load@client.test' };
  };
}
