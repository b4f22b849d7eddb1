/**
 * A relay queue built in the test process on a temporary state.db, a ManualClock, the test DNS
 * server and an Outbox that records what it is given (the DSNs): the unit-level rig for the
 * scheduler against real scripted peers. `settled(n)` resolves with the next n recipient
 * outcomes once committed, so tests wait on the queue's own events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { NextHopResolver } from '../../src/relay/next-hop.js';
import type { RecipientUpdate } from '../../src/relay/queue-store.js';
import { DurableRelayQueue, type RelayQueueOptions } from '../../src/relay/relay-queue.js';
import { SqliteQueueStore } from '../../src/relay/sqlite-queue-store.js';
import type { OutboundMessage } from '../../src/relay/types.js';
import { StateDatabase } from '../../src/store/sqlite/state-db.js';
import { ManualClock } from '../helpers/clock.js';

export interface Rig {
  queue: DurableRelayQueue;
  clock: ManualClock;
  store: SqliteQueueStore;
  /** What went to the Outbox (DSNs). */
  sent: OutboundMessage[];
  outcomes: RecipientUpdate[];
  /** The next `count` outcomes not yet taken by an earlier call (already committed ones count). */
  settled(count: number, timeoutMs?: number): Promise<RecipientUpdate[]>;
  close(): Promise<void>;
}

export function startRig(dnsAddress: string, overrides: Partial<RelayQueueOptions> = {}): Rig {
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-relay-'));
  const state = new StateDatabase(join(dir, 'state.db'));
  const store = new SqliteQueueStore(state);
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const sent: OutboundMessage[] = [];
  const outcomes: RecipientUpdate[] = [];
  const waiters = new Set<() => void>();
  let taken = 0;
  const queue = new DurableRelayQueue({
    store,
    clock,
    hops: new NextHopResolver({ clock, dnsServers: [dnsAddress], smartHost: null }),
    connection: { ehloName: 'relay.tidemail.test', tls: 'opportunistic', auth: null, connectTimeoutMs: 2_000, socketTimeoutMs: 1_500 },
    retry: { scheduleMs: [300_000, 600_000, 1_200_000, 2_400_000, 4_200_000], lifetimeMs: 5 * 86_400_000 },
    concurrency: 10,
    perDestination: 2,
    hostname: 'relay.tidemail.test',
    outbox: () => ({ send: async (message) => void sent.push(message) }),
    log: pino({ level: 'silent' }),
    onRecorded: (updates) => {
      outcomes.push(...updates);
      for (const wake of waiters) wake();
    },
    ...overrides,
  });
  queue.start();
  return {
    queue,
    clock,
    store,
    sent,
    outcomes,
    settled(count, timeoutMs = 15_000) {
      const target = taken + count;
      taken = target;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`only ${outcomes.length} of ${target} outcomes in ${timeoutMs} ms: ${JSON.stringify(outcomes.map((o) => o.attempt.reply))}`));
        }, timeoutMs);
        const check = (): void => {
          if (outcomes.length < target) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(outcomes.slice(target - count, target));
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      await queue.stop(2_000);
      state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function message(to: string[], options: { from?: string; subject?: string; body?: string } = {}): OutboundMessage {
  const from = options.from ?? 'sender@tidemail.test';
  const raw = Buffer.from(
    `From: Sender <${from || 'mailer-daemon@tidemail.test'}>\r\nTo: ${to.join(', ')}\r\nSubject: ${options.subject ?? 'relay test'}\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@tidemail.test>\r\n\r\n${options.body ?? 'Hello over the relay.\r\n.leading dot line\r\n'}`,
  );
  return { mailFrom: from, recipients: to, raw, origin: 'submission' };
}
