/**
 * A Blob for the store's workers only (the writer parses small bodies as they arrive, the indexer the rest). postal-mime collects every decoded MIME part line by line
 * into `new Blob(chunks)` (two parts per line: the line, then "\n") and reads it back with
 * `arrayBuffer()`. Node's Blob makes each part a transferable object and reads them back one by
 * one; for a 4 KiB text message that was most of the parse (profiled: Blob construction and
 * reading ~45 %, the collector ~20 %; 4 KiB ~2.1 → ~0.6 ms on the loaded VM, 100 KiB ~66 → ~9 ms).
 *
 * This stand-in concatenates the parts once and hands the bytes back. It does only what
 * postal-mime asks of a Blob (construct from strings and byte views, `arrayBuffer`, `size`,
 * `type`), so it is installed in the writer's and the indexer's global scope, where nothing else
 * makes Blobs, and nowhere else: the main thread keeps Node's own.
 */
const utf8 = new TextEncoder();
/** Every other part is this one: encoded once (encoding it each time was ~8 % of a parse). */
const NEWLINE = '\n';
const NEWLINE_BYTES = utf8.encode(NEWLINE);

type Part = string | ArrayBuffer | ArrayBufferView;

class ConcatenatedBlob {
  readonly type: string;
  private readonly bytes: Uint8Array;

  constructor(parts: readonly Part[] = [], options: { type?: string } = {}) {
    this.type = options.type ?? '';
    const chunks = parts.map(toBytes);
    const bytes = new Uint8Array(chunks.reduce((sum, c) => sum + c.byteLength, 0));
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    this.bytes = bytes;
  }

  get size(): number {
    return this.bytes.byteLength;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytes.buffer as ArrayBuffer;
  }
}

function toBytes(part: Part): Uint8Array {
  if (part === NEWLINE) return NEWLINE_BYTES;
  if (typeof part === 'string') return utf8.encode(part);
  if (part instanceof ArrayBuffer) return new Uint8Array(part);
  return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
}

/** Replace this thread's Blob (call once, from a store worker). */
export function installConcatenatedBlob(): void {
  (globalThis as { Blob: unknown }).Blob = ConcatenatedBlob;
}
