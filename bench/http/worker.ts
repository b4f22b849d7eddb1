/**
 * Worker thread for the HTTP API cells: `connections` keep-alive connections on raw sockets,
 * each sending one GET at a time (no pipelining, so latency is one request's) and the next as
 * soon as the response is complete, cycling through `paths`. Latency = request write → last
 * byte of the response. Anything but a 2xx counts as an error, with the first few kept.
 */
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { Samples } from '../stats.js';
import type { GoMessage, WindowResult } from '../window.js';
import { HttpResponseReader, type HttpResponse } from './response.js';

export interface HttpWorkerSpec {
  host: string;
  port: number;
  connections: number;
  paths: string[];
  pathOffset: number;
}

export interface HttpWorkerResult extends WindowResult {
  bytes: number;
}

const RETRY_PAUSE_MS = 20;

const port = parentPort;
if (!port) throw new Error('http/worker.ts must run as a worker thread');
const spec = workerData as HttpWorkerSpec;
const requests = spec.paths.map((path) => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${spec.host}:${spec.port}\r\nAccept: application/json\r\n\r\n`, 'latin1'));
const latencies = new Samples();
const result: HttpWorkerResult = { latenciesMs: new Float64Array(0), completedInWindow: 0, completedTotal: 0, errors: 0, errorSamples: [], bytes: 0 };
let next = spec.pathOffset;

function error(reason: string): void {
  result.errors++;
  if (result.errorSamples.length < 3) result.errorSamples.push(reason);
}

port.once('message', (go: GoMessage) => {
  let running = spec.connections;
  const sockets = new Set<net.Socket>();
  const done = (): void => {
    if (--running > 0) return;
    clearTimeout(hardStop);
    result.latenciesMs = latencies.toArray();
    port.postMessage(result, [result.latenciesMs.buffer as ArrayBuffer]);
  };
  const hardStop = setTimeout(() => {
    for (const socket of sockets) socket.destroy();
  }, go.hardDeadlineMs);
  const open = (): void => {
    if (process.hrtime.bigint() >= go.windowEndNs) return done();
    const socket = net.connect({ host: spec.host, port: spec.port, noDelay: true });
    sockets.add(socket);
    const reader = new HttpResponseReader();
    const responses: HttpResponse[] = [];
    let sentNs = 0n;
    let finished = false;
    const request = (): void => {
      if (process.hrtime.bigint() >= go.windowEndNs) return close();
      sentNs = process.hrtime.bigint();
      socket.write(requests[next++ % requests.length]!);
    };
    const close = (): void => {
      finished = true;
      sockets.delete(socket);
      socket.destroy();
      done();
    };
    socket.on('connect', request);
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk, responses);
      } catch (e) {
        error((e as Error).message);
        return close();
      }
      for (const response of responses) {
        const endNs = process.hrtime.bigint();
        result.completedTotal++;
        result.bytes += response.body.length;
        if (response.status < 200 || response.status > 299) error(`HTTP ${response.status}: ${response.body.toString('utf8', 0, 120)}`);
        else if (endNs >= go.windowStartNs && endNs <= go.windowEndNs) {
          result.completedInWindow++;
          latencies.add(Number(endNs - sentNs) / 1e6);
        }
      }
      if (responses.length) {
        responses.length = 0;
        request();
      }
    });
    const lost = (reason: string): void => {
      if (finished) return;
      finished = true;
      sockets.delete(socket);
      error(reason);
      socket.destroy();
      setTimeout(open, RETRY_PAUSE_MS); // a fresh connection takes this one's place
      running++;
      done();
    };
    socket.on('error', (e) => lost(e.message));
    socket.on('close', () => lost('connection closed by the server'));
  };
  for (let i = 0; i < spec.connections; i++) open();
});
