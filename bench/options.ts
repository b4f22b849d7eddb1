/**
 * The bench's command line: `--quick` (under a minute), the default (about five minutes),
 * `--big` (the API cell also at 100,000 stored messages), `--only smtp,api,…` to run some
 * cells. Each profile fixes every duration and count, so every loop in the bench is bounded.
 */

export const CELLS = ['smtp', 'policy', 'flood', 'visible', 'store', 'api', 'pop3', 'imap', 'imap-load', 'proxy', 'rules', 'outbound', 'storage', 'profile'] as const;
export type CellName = (typeof CELLS)[number];
/** `profile` restarts the server under --cpu-prof; it runs only when asked for. */
const DEFAULT_CELLS: readonly CellName[] = CELLS.filter((c) => c !== 'profile');

export interface Timing {
  /** SMTP cells: warm-up before the measurement window, and the window. */
  smtpWarmupMs: number;
  smtpDurationMs: number;
  /** Bound on messages per SMTP cell besides time. */
  smtpMaxMessages: number;
  visibleDurationMs: number;
  apiDurationMs: number;
  mailReadDurationMs: number;
  /** imap-load: 50 clients' warm-up, then the window, on Tidemail and then on Dovecot. */
  imapLoadWarmupMs: number;
  imapLoadDurationMs: number;
  /** Stored 4 KiB messages at which memory and disk are read; the API cell runs at apiAt. */
  storeCheckpoints: number[];
  apiAt: number[];
  /** Upper bound on the time spent filling the store. */
  storeFillMaxMs: number;
  profileDurationMs: number;
  /** outbound: 4 KiB messages queued, then delivered (issue 16 §7). */
  outboundMessages: number;
  /** storage: corpus messages per fill, and each fill's time budget. */
  storageMessages: number;
  storageFillMaxMs: number;
}

export interface Options {
  profile: 'quick' | 'default';
  big: boolean;
  cells: Set<CellName>;
  timing: Timing;
}

export class UsageError extends Error {}

const QUICK: Timing = {
  smtpWarmupMs: 150,
  smtpDurationMs: 600,
  smtpMaxMessages: 50_000,
  visibleDurationMs: 1_500,
  apiDurationMs: 1_000,
  mailReadDurationMs: 1_000,
  imapLoadWarmupMs: 500,
  imapLoadDurationMs: 2_000,
  storeCheckpoints: [1_000, 3_000],
  apiAt: [3_000],
  storeFillMaxMs: 15_000,
  profileDurationMs: 3_000,
  outboundMessages: 10_000,
  storageMessages: 3_000,
  storageFillMaxMs: 30_000,
};

const DEFAULT: Timing = {
  smtpWarmupMs: 1_000,
  smtpDurationMs: 4_000,
  smtpMaxMessages: 500_000,
  visibleDurationMs: 8_000,
  apiDurationMs: 5_000,
  mailReadDurationMs: 4_000,
  imapLoadWarmupMs: 1_000,
  imapLoadDurationMs: 5_000,
  storeCheckpoints: [10_000, 25_000, 50_000, 100_000],
  apiAt: [10_000],
  storeFillMaxMs: 150_000,
  profileDurationMs: 10_000,
  outboundMessages: 100_000,
  storageMessages: 100_000,
  storageFillMaxMs: 240_000,
};

export function parseOptions(argv: readonly string[]): Options {
  let quick = false;
  let big = false;
  let only: CellName[] | null = null;
  let storageMessages: number | null = null; // storage cell (issue 18): a smaller corpus than the profile's
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--storage-messages=')) {
      storageMessages = Number(arg.slice('--storage-messages='.length));
      if (!Number.isInteger(storageMessages) || storageMessages < 100) throw new UsageError('--storage-messages=N needs a whole number ≥ 100');
    }
    else if (arg === '--big') big = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value) throw new UsageError(`--only needs a list of cells: ${CELLS.join(',')}`);
      only = value.split(',').map((name) => name.trim()).filter(Boolean).map((name) => {
        if (!(CELLS as readonly string[]).includes(name)) throw new UsageError(`unknown cell "${name}" (cells: ${CELLS.join(', ')})`);
        return name as CellName;
      });
    } else if (arg === '--profile') {
      only = [...(only ?? DEFAULT_CELLS), 'profile'];
    } else {
      throw new UsageError(`unknown argument "${arg}" (flags: --quick, --big, --only ${CELLS.join(',')}, --profile, --storage-messages=N)`);
    }
  }
  const timing: Timing = { ...(quick ? QUICK : DEFAULT) };
  if (storageMessages !== null) timing.storageMessages = storageMessages;
  if (big) {
    timing.storeCheckpoints = [...new Set([...timing.storeCheckpoints, 100_000])].sort((a, b) => a - b);
    timing.apiAt = [...new Set([...timing.apiAt, 100_000])];
    timing.storeFillMaxMs = Math.max(timing.storeFillMaxMs, 300_000);
  }
  return { profile: quick ? 'quick' : 'default', big, cells: new Set(only ?? DEFAULT_CELLS), timing };
}
