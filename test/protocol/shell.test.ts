/**
 * The connection shell on its own, over real sockets, with a scripted protocol: input held while
 * an effect runs, idle timing from a manual clock, a throwing protocol ending only its session,
 * shutdown asked again after a turn, ended() once and before the last reply, and a client that
 * does not read stopping the shell from reading.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import type { InputBuffer } from '../../src/protocol/input.js';
import { startLineServer } from '../../src/protocol/line-server.js';
import { MAX_UNSENT_BYTES, type LineProtocol, type Turn } from '../../src/protocol/shell.js';
import type { RunningServer } from '../../src/protocol/tcp-server.js';
import { ManualClock } from '../helpers/clock.js';
import { ReceivedBytes } from '../helpers/received.js';

const IDLE_MS = 60_000;
const BIG = Buffer.alloc(2 * 1024 * 1024, 0x78);
/** More than loopback's socket buffers hold (a few MiB each way). */
const BIGS = 24;

interface Deferred {
  promise: Promise<Turn>;
  resolve: (turn: Turn) => void;
}

function deferred(): Deferred {
  let resolve!: (turn: Turn) => void;
  const promise = new Promise<Turn>((r) => (resolve = r));
  return { promise, resolve };
}

/** A line protocol scripted by the test: what each line does is in `next`. */
class ScriptedProtocol implements LineProtocol {
  readonly seen: string[] = [];
  endings = 0;
  effect: Deferred | null = null;
  shutdownAnswers: Array<Turn | null> = [];
  shutdownAsked = 0;
  idled = 0;

  constructor(private readonly onEffect: (p: ScriptedProtocol) => void) {}

  greeting(): Turn {
    return { output: ['hello\r\n'] };
  }

  next(input: InputBuffer): Turn | null {
    const framed = input.readTextLine(100);
    if (!framed || framed.kind !== 'line') return null;
    const line = framed.text;
    this.seen.push(line);
    if (line === 'WAIT') {
      this.effect = deferred();
      this.onEffect(this);
      return { output: ['waiting\r\n'], effect: { kind: 'await', work: this.effect.promise } };
    }
    if (line === 'BOOM') throw new Error('a bug in the protocol');
    if (line === 'BIG') return { output: [BIG] };
    if (line === 'QUIT') return { output: ['bye\r\n'], effect: { kind: 'close' } };
    return { output: [`${line.toLowerCase()}\r\n`] };
  }

  idle(): Turn {
    this.idled++;
    return { output: ['idle\r\n'], effect: { kind: 'close' } };
  }

  shutdown(): Turn | null {
    this.shutdownAsked++;
    return this.shutdownAnswers.shift() ?? null;
  }

  tlsStarted(): null {
    return null;
  }

  ended(): void {
    this.endings++;
  }
}

class Client {
  readonly received = new ReceivedBytes();
  readonly socket: net.Socket;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.received.listen(this.socket);
  }

  line(): Promise<string> {
    return this.received.waitFor(
      () => {
        const bytes = this.received.bytes;
        const end = bytes.indexOf('\r\n');
        if (end === -1) return null;
        this.received.consume(end + 2);
        return bytes.subarray(0, end).toString();
      },
      'line',
      10_000,
    );
  }

  closed(): Promise<void> {
    return this.received.waitFor(() => (this.received.closed ? true : null), 'close', 10_000).then(() => undefined);
  }
}

describe('connection shell', () => {
  const clock = new ManualClock();
  const protocols: ScriptedProtocol[] = [];
  let effectStarted: (p: ScriptedProtocol) => void = () => {};
  let server: RunningServer;

  before(async () => {
    server = await startLineServer({
      listen: { host: '127.0.0.1', port: 0 },
      limits: { maxConnections: 100, maxConnectionsPerIp: 100 },
      busyReply: () => 'busy\r\n',
      shell: { name: 'test', idleTimeoutMs: IDLE_MS, tls: tls.createSecureContext({}), log: createLogger('silent'), metrics: new Metrics(), clock },
      protocol: () => {
        const p = new ScriptedProtocol((q) => effectStarted(q));
        protocols.push(p);
        return p;
      },
    });
  });
  after(async () => {
    await server.close(1000);
  });

  async function connect(): Promise<{ client: Client; protocol: ScriptedProtocol }> {
    const client = new Client(server.address.port);
    assert.equal(await client.line(), 'hello');
    return { client, protocol: protocols.at(-1)! };
  }

  it('answers pipelined lines in order, and holds the rest of the input while an effect runs', async () => {
    const { client, protocol } = await connect();
    const started = new Promise<ScriptedProtocol>((resolve) => (effectStarted = resolve));
    client.socket.write('A\r\nWAIT\r\nB\r\nC\r\n');
    assert.equal(await client.line(), 'a');
    assert.equal(await client.line(), 'waiting', 'output before the effect is written before it runs');
    await started;
    assert.deepEqual(protocol.seen, ['A', 'WAIT'], 'B and C are not read while the effect is in flight');
    protocol.effect!.resolve({ output: ['done\r\n'] });
    assert.equal(await client.line(), 'done');
    assert.equal(await client.line(), 'b');
    assert.equal(await client.line(), 'c');
    assert.deepEqual(protocol.seen, ['A', 'WAIT', 'B', 'C']);
    client.socket.destroy();
  });

  it('times out a quiet client on the clock, but not while its effect runs', async () => {
    const { client, protocol } = await connect();
    const started = new Promise<ScriptedProtocol>((resolve) => (effectStarted = resolve));
    client.socket.write('WAIT\r\n');
    assert.equal(await client.line(), 'waiting');
    await started;
    clock.advance(IDLE_MS * 3);
    assert.equal(protocol.idled, 0, 'waiting on the store is not the client being idle');
    protocol.effect!.resolve({ output: ['done\r\n'] });
    assert.equal(await client.line(), 'done');
    clock.advance(IDLE_MS - 1);
    assert.equal(protocol.idled, 0);
    clock.advance(1);
    assert.equal(protocol.idled, 1);
    assert.equal(await client.line(), 'idle');
    await client.closed();
  });

  it('input restarts the idle timer', async () => {
    const { client, protocol } = await connect();
    clock.advance(IDLE_MS - 10);
    client.socket.write('PING\r\n');
    assert.equal(await client.line(), 'ping');
    clock.advance(IDLE_MS - 10);
    assert.equal(protocol.idled, 0);
    clock.advance(10);
    assert.equal(protocol.idled, 1);
    await client.closed();
  });

  it('a protocol that throws ends its own session only', async () => {
    const { client: other } = await connect();
    const { client } = await connect();
    client.socket.write('BOOM\r\n');
    await client.closed();
    other.socket.write('STILL\r\n');
    assert.equal(await other.line(), 'still');
    other.socket.destroy();
  });

  it('calls ended() once, before the last reply is flushed, however the session ends', async () => {
    const { client, protocol } = await connect();
    client.socket.write('QUIT\r\n');
    assert.equal(await client.line(), 'bye');
    assert.equal(protocol.endings, 1, 'ended before the client read the reply');
    await client.closed();
    assert.equal(protocol.endings, 1);
    const dropped = await connect();
    dropped.client.socket.destroy();
    await new Promise<void>((resolve) => {
      const check = (): void => (dropped.protocol.endings === 1 ? resolve() : void setImmediate(check));
      check();
    });
  });

  it('stops reading from a client that does not read its output, and goes on once it does', async () => {
    const { client, protocol } = await connect();
    client.socket.pause();
    client.socket.write(`${'BIG\r\n'.repeat(BIGS)}DONE\r\n`);
    await new Promise<void>((resolve) => {
      const check = (): void => (protocol.seen.length > 0 ? resolve() : void setImmediate(check));
      check();
    });
    // Lines are read synchronously, turn after turn, so a shell that ignored backpressure would
    // have read them all by now; ours stops once the kernel's buffers are full and more than
    // MAX_UNSENT_BYTES wait in the socket.
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(protocol.seen.length < BIGS, `stopped reading with ${protocol.seen.length} of ${BIGS} lines read (cap ${MAX_UNSENT_BYTES} unsent bytes)`);
    const total = BIGS * BIG.length + 'done\r\n'.length;
    let count = client.received.bytes.length;
    let tail = client.received.bytes.subarray(-6);
    client.socket.removeAllListeners('data'); // count instead of collecting megabytes
    const all = new Promise<void>((resolve) =>
      client.socket.on('data', (chunk: Buffer) => {
        count += chunk.length;
        tail = Buffer.concat([tail, chunk]).subarray(-6);
        if (count >= total) resolve();
      }),
    );
    client.socket.resume();
    await all;
    assert.equal(count, total);
    assert.deepEqual(protocol.seen, [...Array<string>(BIGS).fill('BIG'), 'DONE']);
    assert.equal(tail.toString(), 'done\r\n');
    client.socket.destroy();
  });

  it('asks a protocol to shut down between turns, again after each turn until it answers', async () => {
    const { client, protocol } = await connect();
    const started = new Promise<ScriptedProtocol>((resolve) => (effectStarted = resolve));
    client.socket.write('WAIT\r\n');
    await started;
    protocol.shutdownAnswers = [null, { output: ['going\r\n'], effect: { kind: 'close' } }];
    const closing = server.close(5000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(protocol.shutdownAsked, 0, 'not asked while an effect is in flight');
    protocol.effect!.resolve({ output: ['done\r\n'] });
    assert.equal(await client.line(), 'waiting');
    assert.equal(await client.line(), 'done');
    assert.equal(protocol.shutdownAsked, 1, 'asked after the turn; it says not now');
    client.socket.write('LAST\r\n');
    assert.equal(await client.line(), 'last');
    assert.equal(await client.line(), 'going');
    assert.equal(protocol.shutdownAsked, 2);
    await client.closed();
    await closing;
  });
});
