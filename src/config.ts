/**
 * One typed schema for every setting. From it come the command-line flags (`--max-message-size`),
 * their environment twins (`TIDEMAIL_MAX_MESSAGE_SIZE`), `tidemail serve --help` with every
 * default, and the validated `Config` the app is built from. A flag beats its variable, which
 * beats the default. Every malformed value is reported by name, never guessed at.
 */
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { NetworkList } from './policy/networks.js';

export interface ListenAddress {
  host: string;
  port: number;
}

type Kind = 'address' | 'string' | 'path' | 'list' | 'bytes' | 'duration' | 'integer' | 'level' | 'switch' | 'rate' | 'cidrs' | 'space' | 'urls';

interface KindValue {
  address: ListenAddress;
  string: string;
  path: string;
  list: string[];
  bytes: number;
  duration: number;
  integer: number;
  level: LogLevel;
  switch: boolean;
  rate: Rate;
  cidrs: string[];
  space: FreeSpace;
  /** http(s) URLs; the flag may be repeated (each adds), the variable holds them space-separated. */
  urls: string[];
}

/** `5%`, `1GiB` or both (`5%,1GiB`: whichever is smaller on the filesystem); `0` turns it off. */
export interface FreeSpace {
  percent: number | null;
  bytes: number | null;
}

/** `20/120s`: at most `count` events in a window of `windowMs`; `0` turns the limit off. */
export interface Rate {
  count: number;
  windowMs: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'];

interface Option<K extends Kind = Kind> {
  flag: string;
  kind: K;
  /** As a user would write it; parsed like any given value. '' = unset. */
  default: string;
  description: string;
}

function option<K extends Kind>(flag: string, kind: K, defaultValue: string, description: string): Option<K> {
  return { flag, kind, default: defaultValue, description };
}

export const SCHEMA = {
  smtp: option('smtp', 'address', '0.0.0.0:1025', 'SMTP listen address, host:port (port 0 = any free port)'),
  http: option('http', 'address', '0.0.0.0:8025', 'HTTP (web UI and API) listen address'),
  pop3: option('pop3', 'address', '0.0.0.0:1110', 'POP3 listen address'),
  imap: option('imap', 'address', '0.0.0.0:1143', 'IMAP listen address'),
  dataDir: option('data', 'path', './data', 'directory for the database and the TLS certificate'),
  hostname: option('hostname', 'string', '', 'name this server gives in greetings and Received headers (default: the machine name)'),
  domains: option('domains', 'list', '', 'comma-separated domains to accept mail for (default: every domain)'),
  maxMessageBytes: option('max-message-size', 'bytes', '10MiB', 'largest message accepted (SIZE), e.g. 10MiB, 500KB'),
  maxRecipients: option('max-recipients', 'integer', '100', 'most recipients in one SMTP transaction'),
  retentionMs: option('retention', 'duration', '24h', 'delete messages older than this (e.g. 90m, 24h, 7d; 0 = keep)'),
  maxPerInbox: option('max-per-inbox', 'integer', '500', 'keep at most this many messages per inbox, oldest evicted first (0 = no cap)'),
  maxStoreBytes: option('max-store-size', 'bytes', '0', 'evict the oldest messages while the store holds more than this (0 = no cap)'),
  tlsCert: option('tls-cert', 'path', '', 'PEM certificate for STARTTLS/STLS (default: a self-signed one kept in the data dir)'),
  tlsKey: option('tls-key', 'path', '', 'PEM private key for --tls-cert'),
  maxConnections: option('max-connections', 'integer', '1000', 'most simultaneous connections per protocol'),
  maxConnectionsPerIp: option('max-connections-per-ip', 'integer', '100', 'most simultaneous connections from one client IP per protocol'),
  smtpIdleTimeoutMs: option('smtp-timeout', 'duration', '300s', 'close an SMTP session idle this long (RFC 5321 §4.5.3.2)'),
  pop3IdleTimeoutMs: option('pop3-timeout', 'duration', '10m', 'close a POP3 session idle this long, deleting nothing (RFC 1939 §3: at least 10 minutes)'),
  imapIdleTimeoutMs: option('imap-timeout', 'duration', '30m', 'log out an IMAP session (IDLE included) quiet this long (RFC 3501 §5.4, RFC 2177 §3)'),
  trustedNetworks: option('trusted-networks', 'cidrs', '127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,::1/128,fc00::/7', 'clients that skip throttles, tarpit and greylisting: CIDR list, or none'),
  policy: option('policy', 'switch', 'on', 'the defences for untrusted clients (filters, bans, tarpit, pregreet, shedding); off turns them all off'),
  ipRate: option('ip-rate', 'rate', '20/120s', 'messages per client address in a window; beyond: 450 4.7.1, beyond twice: banned (0 = no limit)'),
  networkRate: option('network-rate', 'rate', '100/120s', 'messages per client network (/24, /64) in a window; as --ip-rate'),
  banMs: option('ban-time', 'duration', '1h', 'how long an address or network that kept pushing past twice its rate is refused (421 4.7.1)'),
  subjectFlood: option('subject-flood', 'rate', '20/120s', 'messages with one normalised subject in a window before the subject is banned (0 = off)'),
  subjectBanMs: option('subject-ban-time', 'duration', '1h', 'how long a flooded subject is refused (550 5.7.1)'),
  acceptBounces: option('accept-bounces', 'switch', 'off', 'accept bounces (MAIL FROM:<>, MAILER-DAEMON) from untrusted clients'),
  blockedSubjectWords: option('blocked-subject-words', 'path', '', 'file of words or phrases (one a line) refused in subjects; re-read when it changes'),
  tarpitMs: option('tarpit', 'duration', '0', 'delay each reply to an untrusted client by up to this when idle, to nothing near --max-connections'),
  strict: option('strict', 'switch', 'off', 'close an untrusted session on its first protocol violation'),
  greetWaitMs: option('greet-wait', 'duration', '2s', 'pregreet test: hold the greeting this long; an untrusted client that talks first is refused (0 = off)'),
  stressIdleTimeoutMs: option('stress-timeout', 'duration', '10s', 'idle timeout of untrusted sessions once connections reach 80 % of --max-connections (Postfix stress mode)'),
  maxConnectionsPerNetwork: option('max-connections-per-network', 'integer', '500', 'most simultaneous connections from one untrusted /24 or /64 per protocol'),
  magicAddresses: option('magic-addresses', 'switch', 'on', 'recipients like rcpt-550-x@ or delay-30s-x@ script the outcome (see README)'),
  adminToken: option('admin-token', 'string', '', 'bearer token for the API calls that change policy (without one they answer 403)'),
  minFreeDisk: option('min-free-disk', 'space', '5%,1GiB', 'keep this much free on the data dir\'s filesystem: evict the oldest mail, else refuse new mail with 452 4.3.1 (0 = off)'),
  shutdownGraceMs: option('shutdown-grace', 'duration', '10s', 'on SIGTERM, how long sessions in flight may take to finish'),
  // --- submission, relay rules and aliases (issue 16, part "submit") ---
  submission: option('submission', 'address', '0.0.0.0:1587', 'mail submission listen address (AUTH required before MAIL; the standard port is 587)'),
  allowInsecureAuth: option('allow-insecure-auth', 'switch', 'off', 'offer AUTH on submission before STARTTLS (a development convenience: passwords in clear text)'),
  users: option('users', 'path', '', 'submission users, one name:scrypt-hash a line (tidemail user add); re-read when it changes (default: users in the data dir)'),
  relayNetworks: option('relay-networks', 'cidrs', 'none', 'clients that may relay to domains not ours without AUTH (e.g. 127.0.0.0/8): CIDR list, or none'),
  authFailures: option('auth-failures', 'rate', '5/10m', 'failed AUTH attempts per client address in a window; beyond: 454 4.7.0 until the window ends (0 = no limit)'),
  captureOutbound: option('capture-outbound', 'switch', 'off', 'also store a copy of relayed mail in the sender\'s inbox, shown in its Outbound tab'),
  aliases: option('aliases', 'path', '', 'aliases(5) file: name: inbox | user@elsewhere | a, b | /file | "|/program args"; re-read when it changes'),
  aliasFileDir: option('alias-file-dir', 'path', '', 'directory under which file aliases may append to mbox files (default: none allowed)'),
  aliasProgramDir: option('alias-program-dir', 'path', '', 'directory under which program aliases may run (default: none allowed)'),
  aliasProgramTimeoutMs: option('alias-program-timeout', 'duration', '30s', 'how long a program alias may run before it is killed (451 4.3.0)'),
  // --- end submission ---
  // --- relay queue and delivery (issue 16, relay part) ---
  relayConcurrency: option('relay-concurrency', 'integer', '50', 'most outbound SMTP connections open at once, in all'),
  relayPerDomain: option('relay-per-domain', 'integer', '5', 'most outbound connections to one destination (MX host set or smart host)'),
  retrySchedule: option('retry-schedule', 'string', '5m,10m,20m,40m,70m', 'waits after the 1st, 2nd, … temporary failure of a recipient; the last repeats (RFC 5321 §4.5.4.1)'),
  queueLifetimeMs: option('queue-lifetime', 'duration', '5d', 'bounce a recipient still failing temporarily this long after it was queued'),
  dnsServers: option('dns-servers', 'string', '', 'resolvers for MX lookups, comma-separated ip or ip:port (default: the system\'s)'),
  smartHost: option('smart-host', 'string', '', 'send all relayed mail to this host:port instead of looking up MX records'),
  smartHostAuth: option('smart-host-auth', 'path', '', 'file holding "user:password" (one line) for AUTH at --smart-host; never a password on the command line'),
  relayTls: option('relay-tls', 'string', 'opportunistic', 'STARTTLS to next hops: opportunistic (when offered) or require (no TLS, no delivery)'),
  relayTimeoutMs: option('relay-timeout', 'duration', '5m', 'an outbound connection silent this long counts as failed (retried)'),
  relayConnectTimeoutMs: option('relay-connect-timeout', 'duration', '30s', 'time for a next hop to accept the connection and greet'),
  dkimKey: option('dkim-key', 'path', '', 'PEM private key to DKIM-sign relayed mail with (with --dkim-selector)'),
  dkimSelector: option('dkim-selector', 'string', '', 'DKIM selector (s=) for --dkim-key'),
  dkimDomain: option('dkim-domain', 'string', '', 'DKIM signing domain (d=); default: the domain of each message\'s From address'),
  // --- end relay ---
  logLevel: option('log-level', 'level', 'info', `log level: ${LOG_LEVELS.join(', ')}`),
  // §1 Greylisting (issue 15): asked at RCPT for untrusted clients (policy/greylist.ts).
  greylist: option('greylist', 'switch', 'off', 'greylist untrusted clients: 451 4.7.1 at RCPT for an unknown (client /24 or /64, sender, recipient) until it is retried'),
  greylistDelayMs: option('greylist-delay', 'duration', '300s', 'a deferred triplet passes when retried at least this long after its first attempt (Postgrey\'s 300 s)'),
  greylistRetryWindowMs: option('greylist-retry-window', 'duration', '24h', 'a deferred triplet must be retried within this of its first attempt, else it starts over'),
  greylistLifetimeMs: option('greylist-lifetime', 'duration', '35d', 'a triplet that passed (and an auto-whitelisted client network) is remembered this long after its last pass'),
  greylistHammerMs: option('greylist-hammer', 'duration', '0', 'a retry sooner than this after the previous attempt restarts the triplet\'s clock (Kamaelia: 180s; 0 = off)'),
  greylistAutoWhitelist: option('greylist-auto-whitelist', 'integer', '5', 'passes after which the client network (/24, /64) is whitelisted as a whole for --greylist-lifetime (0 = off)'),
  greylistWhitelist: option('greylist-whitelist', 'path', '', 'file of client addresses, CIDRs, triplets, HELO triplets and recipient domains never greylisted (README); re-read when it changes'),
  greylistMaxEntries: option('greylist-max-entries', 'integer', '100000', 'most triplets kept (and client networks); at the cap the oldest grey triplets are evicted first, white ones only when none is grey'),
  // Mail that acts (issue 17): webhooks and routing rules.
  webhooks: option('webhook', 'urls', '', 'POST message.received for every message to this URL (repeatable); add #deleted for message.deleted too'),
  webhookSecret: option('webhook-secret', 'string', '', 'sign webhooks with this secret (Standard Webhooks; whsec_<base64> or any text); unsigned without'),
  webhookConcurrency: option('webhook-concurrency', 'integer', '4', 'most webhook requests in flight per endpoint'),
  webhookTimeoutMs: option('webhook-timeout', 'duration', '10s', 'a webhook request not answered within this is retried'),
  publicUrl: option('public-url', 'string', '', 'base URL of the web UI and API as receivers reach it, for webhook links (default: http://<hostname>:<http port>)'),
  rulesFile: option('rules', 'path', '', 'routing rules file (JSON or YAML), re-read when it changes'),
  // --- agents (issue 17): agent inboxes ---
  agents: option('agents', 'path', '', 'agent inboxes: a JSON or YAML file mapping address patterns (time@, support-*@, bot@a.test) to agent kinds; re-read when it changes'),
  agentProgramDir: option('agent-program-dir', 'path', '', 'the only directory whose programs command agents may run (none: command agents are refused)'),
  agentSenderRate: option('agent-sender-rate', 'rate', '10/1h', 'agent replies to one sender in a window, all agents together (0 = no limit)'),
  agentGlobalRate: option('agent-global-rate', 'rate', '200/1h', 'agent replies to anyone in a window (0 = no limit)'),
  // --- end agents ---
  // --- compact store (issue 18) ---
  // Off by default for now: it costs ingest more than the 10 % issue 18 allows (BENCHMARKS.md, issue 18).
  compactBodies: option('compact-bodies', 'switch', 'off', 'store new bodies compacted: zstd with a dictionary per sender domain, attachments once by hash (off: as received); reads give the exact bytes either way'),
  // --- end compact store ---
} as const;

type Schema = typeof SCHEMA;
export type Config = { -readonly [K in keyof Schema]: KindValue[Schema[K]['kind']] };
export type ConfigKey = keyof Schema;

export class ConfigError extends Error {}

export function envName(flag: string): string {
  return `TIDEMAIL_${flag.toUpperCase().replace(/-/g, '_')}`;
}

const UNITS_BYTES: Record<string, number> = {
  '': 1, b: 1, k: 1000, kb: 1000, kib: 1024, m: 1000 ** 2, mb: 1000 ** 2, mib: 1024 ** 2, g: 1000 ** 3, gb: 1000 ** 3, gib: 1024 ** 3,
};
const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function parseAddress(text: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(text);
  if (!match) throw new ConfigError('expected host:port, e.g. 127.0.0.1:1025 or [::1]:1025');
  const port = Number(match[3]);
  if (port > 65535) throw new ConfigError('port must be 0–65535');
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

function parseBytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  const unit = match ? UNITS_BYTES[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new ConfigError('expected a size such as 10MiB, 500KB or 1048576');
  return Math.floor(Number(match[1]) * unit);
}

export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new ConfigError('expected a duration such as 300s, 90m, 24h or 7d');
  return Math.round(Number(match[1]) * UNITS_MS[match[2]!]!);
}

function parseRate(text: string): Rate {
  if (text === '0') return { count: 0, windowMs: 0 };
  const match = /^(\d{1,9})\/(.+)$/.exec(text);
  if (!match) throw new ConfigError('expected a count per window such as 20/120s (or 0 for no limit)');
  const windowMs = parseDuration(match[2]!);
  if (windowMs === 0) throw new ConfigError('the window must be longer than 0');
  return { count: Number(match[1]), windowMs };
}

function parseInteger(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new ConfigError('expected a whole number ≥ 0');
  return Number(text);
}

const DOMAIN = /^(?=.{1,255}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

function parseValue<K extends Kind>(kind: K, text: string): KindValue[K] {
  const parsers: { [P in Kind]: (t: string) => KindValue[P] } = {
    address: parseAddress,
    string: (t) => t,
    path: (t) => (t === '' ? '' : resolve(t)),
    list: (t) => {
      const items = t.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
      const bad = items.find((d) => !DOMAIN.test(d));
      if (bad) throw new ConfigError(`"${bad}" is not a domain name`);
      return items;
    },
    bytes: parseBytes,
    duration: parseDuration,
    integer: parseInteger,
    switch: (t) => {
      if (t === 'on' || t === 'true' || t === 'yes') return true;
      if (t === 'off' || t === 'false' || t === 'no') return false;
      throw new ConfigError('expected on or off');
    },
    rate: parseRate,
    space: (t) => {
      if (t === '0') return { percent: null, bytes: null };
      const space: FreeSpace = { percent: null, bytes: null };
      for (const part of t.split(',').map((p) => p.trim())) {
        const percent = /^(\d+(?:\.\d+)?)%$/.exec(part);
        if (percent) {
          if (Number(percent[1]) >= 100) throw new ConfigError('a percentage must be below 100%');
          space.percent = Number(percent[1]);
        } else space.bytes = parseBytes(part);
      }
      return space;
    },
    cidrs: (t) => {
      if (t === 'none') return [];
      const items = t.split(',').map((c) => c.trim()).filter(Boolean);
      for (const item of items) {
        try {
          new NetworkList([item]);
        } catch (error) {
          throw new ConfigError((error as Error).message);
        }
      }
      return items;
    },
    urls: (t) => {
      const urls = t.split(/\s+/).filter(Boolean);
      for (const url of urls) {
        let parsed: URL | null = null;
        try {
          parsed = new URL(url);
        } catch {
          // reported below
        }
        if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw new ConfigError(`"${url}" is not an http or https URL`);
      }
      return urls;
    },
    level: (t) => {
      if (!(LOG_LEVELS as readonly string[]).includes(t)) throw new ConfigError(`expected one of ${LOG_LEVELS.join(', ')}`);
      return t as LogLevel;
    },
  };
  return parsers[kind](text);
}

/** Turn flags and environment into a Config; throws ConfigError naming the offending flag. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const byFlag = new Map<string, ConfigKey>();
  for (const key of Object.keys(SCHEMA) as ConfigKey[]) byFlag.set(SCHEMA[key].flag, key);

  const given = new Map<ConfigKey, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new ConfigError(`unexpected argument "${arg}" (see --help)`);
    const key = byFlag.get(match[1]!);
    if (!key) throw new ConfigError(`unknown flag --${match[1]} (see --help)`);
    let value = match[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new ConfigError(`--${match[1]} needs a value`);
    }
    // A 'urls' option adds one URL per mention (--webhook a --webhook b).
    given.set(key, SCHEMA[key].kind === 'urls' && given.has(key) ? `${given.get(key)} ${value}` : value);
  }

  const config: Partial<Record<ConfigKey, unknown>> = {};
  for (const key of Object.keys(SCHEMA) as ConfigKey[]) {
    const spec: Option = SCHEMA[key];
    const fromEnv = env[envName(spec.flag)];
    const source = given.has(key) ? `--${spec.flag}` : fromEnv !== undefined ? envName(spec.flag) : 'default';
    const text = (given.get(key) ?? fromEnv ?? spec.default).trim();
    try {
      config[key] = parseValue(spec.kind, text);
    } catch (error) {
      const reason = error instanceof ConfigError ? error.message : String(error);
      throw new ConfigError(`invalid value "${text}" for ${source}: ${reason}`);
    }
  }
  const result = config as Config;
  if (result.hostname === '') result.hostname = osHostname() || 'localhost';
  if ((result.tlsCert === '') !== (result.tlsKey === '')) throw new ConfigError('--tls-cert and --tls-key must be given together');
  if (result.maxMessageBytes < 1024) throw new ConfigError('invalid value for --max-message-size: must be at least 1KiB');
  if (result.maxRecipients < 1) throw new ConfigError('invalid value for --max-recipients: must be at least 1');
  if (result.webhookConcurrency < 1) throw new ConfigError('invalid value for --webhook-concurrency: must be at least 1');
  if (result.publicUrl !== '' && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(result.publicUrl)) throw new ConfigError('invalid value for --public-url: expected http(s)://host[:port][/path]');
  result.publicUrl = result.publicUrl.replace(/\/+$/, '');
  return result;
}

export function helpText(): string {
  const lines = ['Usage: tidemail serve [options]', '', 'Every option can also be set by its environment variable.', ''];
  const specs = Object.values(SCHEMA) as Option[];
  const label = (spec: Option): string => `  --${spec.flag} <${spec.kind}>`;
  const width = Math.max(...specs.map((spec) => label(spec).length)) + 2;
  for (const spec of specs) {
    lines.push(label(spec).padEnd(width) + spec.description);
    lines.push(''.padEnd(width) + `default: ${spec.default === '' ? '(none)' : spec.default}; env: ${envName(spec.flag)}`);
  }
  return lines.join('\n');
}
