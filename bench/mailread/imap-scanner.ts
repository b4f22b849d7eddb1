/**
 * Incremental scanner of an IMAP server's responses (RFC 3501 §7, §4.3 literals), just enough
 * for a FETCH throughput test: it counts untagged `* n FETCH` responses and literal bytes, and
 * reports the tagged completion for the tag it waits for. Literals ({n} at the end of a line,
 * then exactly n bytes) are skipped without looking inside, so a message body that happens to
 * contain "a1 OK" can never be taken for the completion.
 */

export interface TaggedCompletion {
  tag: string;
  /** OK, NO or BAD. */
  status: string;
  text: string;
}

const CRLF = Buffer.from('\r\n');
const LITERAL_AT_END = /\{(\d+)\+?\}$/;
const FETCH_RESPONSE = /^\* \d+ FETCH /i;

export class ImapResponseScanner {
  private pending: Buffer = Buffer.alloc(0);
  private literalLeft = 0;
  /** Whether the next line begins a response (false inside a response continued after a literal). */
  private atResponseStart = true;
  fetches = 0;
  literalBytes = 0;

  /** Feed bytes; returns the completion for `tag` once it has arrived (later bytes stay buffered). */
  push(chunk: Buffer, tag: string): TaggedCompletion | null {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let position = 0;
    try {
      for (;;) {
        if (this.literalLeft > 0) {
          const take = Math.min(this.literalLeft, this.pending.length - position);
          this.literalLeft -= take;
          this.literalBytes += take;
          position += take;
          if (this.literalLeft > 0) return null;
        }
        const end = this.pending.indexOf(CRLF, position);
        if (end === -1) return null;
        const line = this.pending.toString('latin1', position, end);
        position = end + 2;
        if (this.atResponseStart) {
          if (FETCH_RESPONSE.test(line)) this.fetches++;
          if (line.startsWith(`${tag} `)) {
            const [status = '', ...text] = line.slice(tag.length + 1).split(' ');
            return { tag, status: status.toUpperCase(), text: text.join(' ') };
          }
        }
        const literal = LITERAL_AT_END.exec(line);
        this.literalLeft = literal ? Number(literal[1]) : 0;
        this.atResponseStart = !literal;
      }
    } finally {
      this.pending = this.pending.subarray(position);
    }
  }
}
