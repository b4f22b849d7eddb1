/**
 * `tidemail wait INBOX [options]`: a QA step for any CI shell. It long-polls the server's
 * `GET /api/v1/inboxes/{inbox}/wait` (http/wait.ts) with the matchers given, and prints the
 * message's code, action link, JSON summary or a line naming it.
 *
 * The cursor starts at `--after` (0: the whole inbox), so mail that landed before the step
 * started is found, and every further call passes the id of the last message seen: one that
 * arrives between two calls is never missed. More than one call happens when the timeout is
 * longer than the server's longest wait, or when a message matches but lacks what `--link`
 * asks for (the server has no "has a link" matcher; `--code` uses its `code=1`).
 *
 * Exit status: 0 printed; 1 nothing in time (one line on stderr); 2 usage, or an API that cannot
 * be reached, refuses the request or answers something else than a wait answer.
 */
import type { ApiSummary } from './http/api-types.js';
import { MAX_WAIT_SECONDS } from './http/wait.js';
import type { WaitOptions } from './wait-options.js';

export const EXIT_FOUND = 0;
export const EXIT_TIMED_OUT = 1;
export const EXIT_FAILED = 2;

/** A server that takes this much longer than the wait it was asked for is not answering. */
const ANSWER_GRACE_MS = 30_000;

/** What this command reads of a summary. */
type Answer = Pick<ApiSummary, 'id' | 'from' | 'subject' | 'codes' | 'links'>;

/** The API could not be asked, or said no: exit 2 with this message. */
export class WaitFailure extends Error {}

/** Wait as `options` say; the exit status and the one line to print on stdout or stderr. */
export async function runWait(options: WaitOptions): Promise<{ status: number; stdout?: string; stderr?: string }> {
  const deadline = Date.now() + options.timeoutMs;
  let afterId = options.afterId;
  for (;;) {
    const remainingMs = Math.max(0, deadline - Date.now());
    // The server counts whole seconds: round up, so the last call covers the deadline.
    const seconds = Math.min(MAX_WAIT_SECONDS, Math.ceil(remainingMs / 1000));
    const answer = await askOnce(options, afterId, seconds);
    if (answer !== null) {
      const printed = render(answer, options.output);
      if (printed !== null) return { status: EXIT_FOUND, stdout: printed };
      afterId = answer.id;
      if (Date.now() < deadline) continue;
    } else if (seconds * 1000 < remainingMs) {
      continue;
    }
    return { status: EXIT_TIMED_OUT, stderr: timedOutLine(options) };
  }
}

async function askOnce(options: WaitOptions, afterId: number, seconds: number): Promise<Answer | null> {
  const query = new URLSearchParams({ after: String(afterId), timeout: String(seconds) });
  for (const [name, value] of Object.entries(options.matchers)) if (value !== null) query.set(name, value);
  if (options.output === 'code') query.set('code', '1');
  const base = options.api.href.endsWith('/') ? options.api.href : `${options.api.href}/`;
  const url = new URL(`api/v1/inboxes/${encodeURIComponent(options.inbox)}/wait?${query}`, base);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(seconds * 1000 + ANSWER_GRACE_MS) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : (error as Error).message;
    throw new WaitFailure(`cannot reach the API at ${options.api.origin}: ${cause}`);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  const body = parseJson(text);
  if (response.status === 200 && isAnswer(body)) return body;
  const refusal = errorMessage(body);
  if (refusal !== null) throw new WaitFailure(`the API refused the request (${response.status}): ${refusal}`);
  throw new WaitFailure(`${options.api.origin} answered HTTP ${response.status}, not a Tidemail wait answer (is --api right?)`);
}

/** What to print for `answer`, or null if it lacks what was asked for (keep waiting). */
function render(answer: Answer, output: WaitOptions['output']): string | null {
  switch (output) {
    case 'code':
      return answer.codes[0] ?? null;
    case 'link':
      return answer.links[0] ?? null;
    case 'json':
      return JSON.stringify(answer);
    case 'line':
      return `message ${answer.id} from ${answer.from?.address ?? '(no sender)'}: ${JSON.stringify(answer.subject)}`;
  }
}

function timedOutLine(options: WaitOptions): string {
  const asked = Object.entries(options.matchers).flatMap(([name, value]) => (value === null ? [] : [`--${name} ${JSON.stringify(value)}`]));
  if (options.output === 'code' || options.output === 'link') asked.push(`with a ${options.output}`);
  const matching = asked.length === 0 ? '' : ` matching ${asked.join(' ')}`;
  return `tidemail wait: no message in ${options.inbox}${matching} within ${options.timeoutMs / 1000}s`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function isAnswer(body: unknown): body is Answer {
  const answer = body as Partial<Answer> | null;
  return typeof answer?.id === 'number' && typeof answer.subject === 'string' && Array.isArray(answer.codes) && Array.isArray(answer.links);
}

/** The message of the API's one error shape, `{ error: { code, message } }`. */
function errorMessage(body: unknown): string | null {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof message === 'string' ? message : null;
}
