/**
 * The transcript of an SMTP session, kept for each message it delivers (Mailinator's "SMTP log"):
 * every command and reply with its time offset from the connect, so a developer can see what
 * their mailer really said. A message's transcript is the session's prelude (greeting, EHLO,
 * STARTTLS: what came before the first MAIL) followed by what came since the previous message
 * ended, so a persistent session of a thousand messages does not repeat the others' lines.
 *
 * Bounded: the prelude keeps at most PRELUDE_CAP_BYTES and a transaction at most
 * TRANSACTION_CAP_BYTES; past that, lines are dropped from the middle of the transaction (its
 * start and its end are what explain an outcome) and the transcript says it was truncated.
 * The DATA content is summarised as one line with its size, never repeated.
 */
import type { SmtpTranscript, TranscriptLine } from '../mail/model.js';

const PRELUDE_CAP_BYTES = 4 * 1024;
const TRANSACTION_CAP_BYTES = 12 * 1024;
/** Lines kept from a transaction's end when its middle is dropped. */
const TAIL_LINES = 8;

export class TranscriptRecorder {
  private readonly prelude: TranscriptLine[] = [];
  private preludeBytes = 0;
  private inPrelude = true;
  private current: TranscriptLine[] = [];
  private currentBytes = 0;
  private truncated = false;
  helo = '';
  tls: SmtpTranscript['tls'] = null;

  constructor(
    private readonly remoteAddress: string,
    private readonly connectedAtMs: number,
    private readonly now: () => number,
  ) {}

  client(text: string): void {
    if (this.inPrelude && /^MAIL\b/i.test(text)) this.inPrelude = false;
    this.add('client', text);
  }

  /** One reply as sent on the wire (multi-line replies keep their lines). */
  server(wire: string): void {
    for (const line of wire.split('\r\n')) if (line) this.add('server', line);
  }

  private add(from: TranscriptLine['from'], text: string): void {
    const line: TranscriptLine = { atMs: this.now() - this.connectedAtMs, from, text };
    const bytes = text.length + 16;
    if (this.inPrelude) {
      if (this.preludeBytes + bytes > PRELUDE_CAP_BYTES) {
        this.truncated = true;
        return;
      }
      this.prelude.push(line);
      this.preludeBytes += bytes;
      return;
    }
    this.current.push(line);
    this.currentBytes += bytes;
    while (this.currentBytes > TRANSACTION_CAP_BYTES && this.current.length > TAIL_LINES + 1) {
      // Keep the first line (MAIL) and the last TAIL_LINES; drop the oldest line in between.
      const [dropped] = this.current.splice(1, 1);
      this.currentBytes -= dropped!.text.length + 16;
      this.truncated = true;
    }
  }

  /** The transcript of the message being delivered now. */
  snapshot(): SmtpTranscript {
    return {
      remoteAddress: this.remoteAddress,
      helo: this.helo,
      tls: this.tls,
      connectedAtMs: this.connectedAtMs,
      lines: [...this.prelude, ...this.current],
      truncated: this.truncated,
    };
  }

  /** A message's transaction is over (answered): the next one starts afresh after the prelude. */
  transactionEnded(): void {
    this.inPrelude = false;
    this.current = [];
    this.currentBytes = 0;
    this.truncated = this.preludeBytes >= PRELUDE_CAP_BYTES;
  }
}
