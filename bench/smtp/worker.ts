/**
 * Worker thread that runs a share of an SMTP cell's sessions, so the load generator gets its
 * own core(s) and never competes with the bench's bookkeeping. Protocol with the main thread:
 * workerData = WorkerSpec; main posts 'go' (../window.ts) with the measurement window; the worker posts one WorkerResult when every session has stopped (or at the hard
 * deadline, when it drops what is left).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { corpusPayloads, type CorpusSpec } from '../corpus/payloads.js';
import { BENCH_DOMAIN, envelopes, inboxName, messagePayload } from '../payloads.js';
import { Samples } from '../stats.js';
import type { GoMessage, WindowResult } from '../window.js';
import { SmtpLoadSession, type SmtpMode } from './session.js';

export interface WorkerSpec {
  host: string;
  port: number;
  mode: SmtpMode;
  sizeBytes: number;
  sessions: number;
  /** Most messages this worker may start (a bound, besides time). */
  maxMessages: number;
  inboxPrefix: string;
  inboxCount: number;
  /** Where this worker starts in the inbox rotation, so workers spread over different inboxes. */
  inboxOffset: number;
  /**
   * Send the storage corpus (../corpus/transactional.ts) instead of one fixed payload: this
   * worker sends messages `share`, `share + shares`, … of the corpus from `seed`.
   */
  corpus?: CorpusSpec;
}

export interface WorkerResult extends WindowResult {
  type: 'result';
}

const port = parentPort;
if (!port) throw new Error('smtp/worker.ts must run as a worker thread');
const spec = workerData as WorkerSpec;

const fixed = messagePayload(spec.sizeBytes, `bench ${spec.sizeBytes} bytes`);
const nextCorpusMessage = spec.corpus ? corpusPayloads(spec.corpus) : null;
const pipelined = envelopes(spec.inboxPrefix, spec.inboxCount);
const latencies = new Samples();
let started = 0;
let completedInWindow = 0;
let completedTotal = 0;
let errors = 0;
const errorSamples: string[] = [];

port.once('message', (go: GoMessage) => {
  const sessions: SmtpLoadSession[] = [];
  let running = spec.sessions;
  let next = spec.inboxOffset;
  const report = (): void => {
    clearTimeout(hardStop);
    const result: WorkerResult = { type: 'result', latenciesMs: latencies.toArray(), completedInWindow, completedTotal, errors, errorSamples };
    port.postMessage(result, [result.latenciesMs.buffer as ArrayBuffer]);
  };
  const hardStop = setTimeout(() => {
    for (const session of sessions) session.abort();
  }, go.hardDeadlineMs);
  for (let i = 0; i < spec.sessions; i++) {
    // A corpus message is sent with its own envelope sender: the envelope (asked for first) takes
    // the next message, the payload after it is that message's.
    let corpusPayload = fixed;
    const session = new SmtpLoadSession({
      host: spec.host,
      port: spec.port,
      mode: spec.mode,
      nextPayload: () => corpusPayload,
      nextEnvelope() {
        const index = next++ % spec.inboxCount;
        const inbox = inboxName(spec.inboxPrefix, index);
        if (!nextCorpusMessage) return { pipelined: pipelined[index]!, inbox };
        const message = nextCorpusMessage();
        corpusPayload = message.payload;
        return { pipelined: Buffer.from(`MAIL FROM:<${message.mailFrom}>\r\nRCPT TO:<${inbox}@${BENCH_DOMAIN}>\r\nDATA\r\n`, 'latin1'), inbox };
      },
      shouldStart() {
        if (started >= spec.maxMessages || process.hrtime.bigint() >= go.windowEndNs) return false;
        started++;
        return true;
      },
      completed(startNs, endNs) {
        completedTotal++;
        if (endNs >= go.windowStartNs && endNs <= go.windowEndNs) {
          completedInWindow++;
          latencies.add(Number(endNs - startNs) / 1e6);
        }
      },
      failed(reason) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(reason);
      },
      finished() {
        if (--running === 0) report();
      },
    });
    sessions.push(session);
  }
  for (const session of sessions) session.start();
});
