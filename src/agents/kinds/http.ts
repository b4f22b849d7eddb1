/**
 * `http`: a service answers (a model, a helpdesk) without Tidemail knowing it. The parsed
 * message is POSTed as JSON to `url`, signed exactly as our webhooks are (webhooks/sign.ts,
 * Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`) with the entry's
 * `secret` or `--webhook-secret`; one message keeps one `webhook-id` across retries, so the
 * service can dedupe. The answer is the reply:
 *
 * - `application/json`: `{ "subject"?, "text", "headers"?: { name: value } }`, or
 *   `{ "reply": false }` for none;
 * - any other text: the body, header fields allowed at the top (as the command kind);
 * - 204 or an empty body: no reply; any other status, a timeout (`timeout`, default 10 s), an
 *   answer over `maxOutput` bytes (1 MiB) or a refused connection: a failure, tried again later.
 */
import { createHash } from 'node:crypto';
import { signedHeaders } from '../../webhooks/sign.js';
import { splitHeadedText, type AgentReply } from '../compose.js';
import { AgentConfigError, durationOption, numberOption, onlyOptions, stringOption, type Agent, type AgentContext, type KindDeps, type Options } from '../kind.js';

/** The JSON a service receives. */
export function messageJson(context: AgentContext): Record<string, unknown> {
  const { message } = context;
  return {
    id: message.id,
    agent: context.agentName,
    address: context.address,
    envelope: message.envelope,
    from: message.from,
    to: message.to,
    subject: message.subject,
    date: message.dateMs === null ? null : new Date(message.dateMs).toISOString(),
    receivedAt: new Date(message.receivedAtMs).toISOString(),
    headers: message.parsed.headers,
    text: message.parsed.text,
    html: message.parsed.html,
    attachments: message.parsed.attachments,
    codes: message.parsed.codes,
    links: message.parsed.links,
  };
}

function replyFromJson(value: unknown): AgentReply | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('answered JSON that is not an object');
  const answer = value as Record<string, unknown>;
  if (answer.reply === false) return null;
  const text = answer.text ?? answer.body;
  if (typeof text !== 'string') throw new Error('answered JSON without a "text" string');
  const headers =
    typeof answer.headers === 'object' && answer.headers !== null
      ? Object.entries(answer.headers as Record<string, unknown>).map(([name, v]) => ({ name, value: String(v) }))
      : [];
  return { ...(typeof answer.subject === 'string' ? { subject: answer.subject } : {}), body: text, headers };
}

/** The answer's body, refused past `maxBytes` (a service cannot fill our memory). */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of response.body ?? []) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw new Error(`answered more than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function httpAgent(options: Options, deps: KindDeps): Agent {
  onlyOptions(options, ['url', 'secret', 'timeout', 'maxOutput']);
  const url = stringOption(options, 'url');
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw new AgentConfigError(`"url" must be an http(s) URL, not "${url}"`);
  const secret = stringOption(options, 'secret', deps.webhookSecret);
  if (secret === '') throw new AgentConfigError('http agents sign their requests: give "secret" or --webhook-secret');
  const timeoutMs = durationOption(options, 'timeout', 10_000);
  const maxOutputBytes = numberOption(options, 'maxOutput', 1024 * 1024, 1, 64 * 1024 * 1024);
  return {
    oncePerSenderMs: 0,
    async answer(context) {
      const body = JSON.stringify(messageJson(context));
      const id = `agent_${context.message.id}_${createHash('sha256').update(context.agentName).digest('hex').slice(0, 12)}`;
      const headers = { 'content-type': 'application/json', ...signedHeaders(secret, id, Math.floor(deps.clock.now() / 1000), body) };
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) }).catch((error: Error) => {
        throw new Error(`POST ${url} failed: ${error.cause instanceof Error ? error.cause.message : error.message}`);
      });
      const text = await readCapped(response, maxOutputBytes).catch((error: Error) => {
        throw new Error(`POST ${url} ${error.message}`);
      });
      if (!response.ok) throw new Error(`POST ${url} answered ${response.status}`);
      if (response.status === 204 || text.trim() === '') return null;
      if (/^application\/(?:[\w.+-]+\+)?json/i.test(response.headers.get('content-type') ?? '')) return replyFromJson(JSON.parse(text));
      return splitHeadedText(text);
    },
  };
}
