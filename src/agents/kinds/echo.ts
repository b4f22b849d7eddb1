/**
 * `echo`: a tester's mirror. The reply says what Tidemail saw of the message: the envelope (the
 * SMTP MAIL FROM and RCPT TO, client address, HELO, TLS), every header field, the parsed parts
 * (text, HTML size, attachments, links, codes) and the SMTP session's transcript with each
 * line's time since connect, so a sender can see exactly what its client said.
 */
import type { SmtpTranscript, StoredMessage } from '../../store/types.js';
import { onlyOptions, type Agent, type AgentContext, type Options } from '../kind.js';

function envelopeLines(message: StoredMessage): string[] {
  const { envelope } = message;
  return [
    `MAIL FROM: <${envelope.mailFrom}>`,
    ...envelope.rcptTo.map((rcpt) => `RCPT TO: <${rcpt}>`),
    `Client: ${envelope.remoteAddress || '(none)'}  HELO: ${envelope.helo || '(none)'}  TLS: ${envelope.tls ? 'yes' : 'no'}`,
  ];
}

/** The echo shows this much of the text: a 10 MiB message need not come back whole. */
const MAX_TEXT_CHARS = 64 * 1024;

function partLines(message: StoredMessage): string[] {
  const { parsed } = message;
  const shown = parsed.text.slice(0, MAX_TEXT_CHARS);
  return [
    `Text (${parsed.text.length} characters):`,
    ...shown.split(/\r?\n/).map((line) => `  ${line}`),
    ...(shown.length < parsed.text.length ? [`  (… ${parsed.text.length - shown.length} more characters)`] : []),
    `HTML: ${parsed.html ? `${parsed.html.length} characters` : 'none'}`,
    `Attachments: ${parsed.attachments.length === 0 ? 'none' : ''}`,
    ...parsed.attachments.map((a) => `  ${a.filename ?? '(no name)'} ${a.contentType} ${a.size} bytes (${a.disposition})`),
    `Links: ${parsed.links.join(' ') || 'none'}`,
    `Codes: ${parsed.codes.join(' ') || 'none'}`,
  ];
}

function transcriptLines(transcript: SmtpTranscript | null): string[] {
  if (!transcript) return ['(no transcript kept for this message)'];
  const tls = transcript.tls ? `${transcript.tls.version} ${transcript.tls.cipher}` : 'none';
  return [
    `Connected from ${transcript.remoteAddress} at ${new Date(transcript.connectedAtMs).toISOString()}, TLS: ${tls}`,
    ...transcript.lines.map((line) => `${String(line.atMs).padStart(6)} ms ${line.from === 'client' ? 'C:' : 'S:'} ${line.text}`),
    ...(transcript.truncated ? ['(lines were left out in the middle)'] : []),
  ];
}

export function echoAgent(options: Options): Agent {
  onlyOptions(options, []);
  return {
    oncePerSenderMs: 0,
    async answer(context: AgentContext) {
      const { message } = context;
      const sections: Array<[string, string[]]> = [
        ['Envelope', envelopeLines(message)],
        ['Headers', message.parsed.headers.map((h) => `${h.name}: ${h.value}`)],
        ['Parsed parts', partLines(message)],
        ['SMTP transcript', transcriptLines(await context.transcript())],
      ];
      const body = sections.map(([title, lines]) => `== ${title} ==\n${lines.join('\n')}`).join('\n\n');
      return { body: `This is what ${context.address} received.\n\n${body}\n` };
    },
  };
}
