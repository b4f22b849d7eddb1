/**
 * In-process SMTP and submission listeners built from fakes (issue 12: servers are buildable
 * from their narrow deps): a store that records appends, a RelayQueue that records enqueues (and
 * can be told to fail), a users file in a temporary directory, the shared test certificate.
 * Every listener binds 127.0.0.1:0; `close()` stops both and removes the directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AliasesFile } from '../../src/aliases/file.js';
import { hashPassword } from '../../src/auth/password.js';
import { UsersFile } from '../../src/auth/users.js';
import type { Clock } from '../../src/clock.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { StoreDelivery } from '../../src/delivery/ingest.js';
import { StoreCapture } from '../../src/delivery/outbound-capture.js';
import { RoutedDelivery } from '../../src/delivery/routed.js';
import { createLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { AuthThrottle } from '../../src/policy/auth-throttle.js';
import { NetworkList } from '../../src/policy/networks.js';
import { loadTlsContext } from '../../src/protocol/tls.js';
import type { OutboundMessage, QueueId, RelayQueue } from '../../src/relay/types.js';
import { startSmtpServer, startSubmissionServer } from '../../src/smtp/server.js';
import type { MessageId, NewMessage, Store } from '../../src/store/types.js';
import { testCertificate } from '../helpers/tls-cert.js';

export class FakeRelayQueue implements RelayQueue {
  readonly enqueued: OutboundMessage[] = [];
  failWith: Error | null = null;

  async enqueue(message: OutboundMessage): Promise<QueueId> {
    if (this.failWith) throw this.failWith;
    this.enqueued.push(message);
    return this.enqueued.length;
  }
}

export class FakeStore implements Pick<Store, 'append'> {
  readonly appended: Array<NewMessage & { ids: MessageId[] }> = [];
  failWith: Error | null = null;
  private nextId = 1;

  async append(message: NewMessage): Promise<MessageId[]> {
    if (this.failWith) throw this.failWith;
    const ids = message.inboxes.map(() => this.nextId++);
    this.appended.push({ ...message, ids });
    return ids;
  }

  inbox(name: string): Array<NewMessage & { ids: MessageId[] }> {
    return this.appended.filter((m) => m.inboxes.includes(name));
  }
}

export const PASSWORD = 'correct horse battery staple';

export interface Harness {
  smtpPort: number;
  submissionPort: number;
  store: FakeStore;
  queue: FakeRelayQueue;
  capture: StoreCapture | null;
  dir: string;
  metrics: Metrics;
  close(): Promise<void>;
}

export interface HarnessOptions {
  args?: string[];
  clock?: Clock;
  /** No relay queue at all (the app before the relay part is merged). */
  noQueue?: boolean;
  aliases?: string;
}

let cachedHash: Promise<string> | null = null;

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-submission-'));
  cachedHash ??= hashPassword(PASSWORD);
  writeFileSync(join(dir, 'users'), `# test users\napp:${await cachedHash}\n`);
  if (options.aliases !== undefined) writeFileSync(join(dir, 'aliases'), options.aliases);
  const config = loadConfig(
    ['--smtp', '127.0.0.1:0', '--submission', '127.0.0.1:0', '--data', dir, '--domains', 'ours.test,also-ours.test', '--users', join(dir, 'users'), ...(options.args ?? [])],
    {},
  );
  const clock = options.clock ?? systemClock;
  const log = createLogger('silent');
  const metrics = new Metrics();
  const store = new FakeStore();
  const queue = new FakeRelayQueue();
  const capture = config.captureOutbound ? new StoreCapture(store, clock) : null;
  const delivery = new RoutedDelivery({ local: new StoreDelivery(store, clock), relay: options.noQueue ? null : queue, capture, programTimeoutMs: config.aliasProgramTimeoutMs, clock, log, metrics });
  const { certPath, keyPath } = await testCertificate();
  const aliases = options.aliases !== undefined ? new AliasesFile(join(dir, 'aliases'), { fileDir: config.aliasFileDir, programDir: config.aliasProgramDir }, () => clock.now(), () => {}) : undefined;
  const deps = {
    config,
    delivery,
    tls: await loadTlsContext({ certPath, keyPath }, dir, 'localhost'),
    log,
    metrics,
    clock,
    relayNetworks: new NetworkList(config.relayNetworks),
    relayAvailable: !options.noQueue,
    ...(aliases ? { aliases } : {}),
  };
  const smtp = await startSmtpServer(deps);
  const submission = await startSubmissionServer(deps, { users: new UsersFile(config.users, () => clock.now(), () => {}), throttle: new AuthThrottle(config.authFailures, clock) });
  return {
    smtpPort: smtp.address.port,
    submissionPort: submission.address.port,
    store,
    queue,
    capture,
    dir,
    metrics,
    async close() {
      await Promise.all([smtp.close(1000), submission.close(1000)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function plain(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`).toString('base64');
}

export function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}
