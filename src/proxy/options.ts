/**
 * The flags of `tidemail proxy` beyond `serve`'s: where the upstream is and how to talk to it.
 * One typed table, like config.ts's (every flag has a `TIDEMAIL_*` twin, a default and a line in
 * `--help`); the other flags on the command line are `serve`'s, parsed by config.ts, so
 * `--smtp`, `--hostname`, the limits and the policy mean in proxy mode what they mean in serve.
 * `serve` does not take these: they would do nothing there.
 */
import { ConfigError, envName, helpText, loadConfig, parseDuration, type Config } from '../config.js';
import type { UpstreamAddress, UpstreamTlsMode } from './upstream-connection.js';

export interface ProxyOptions {
  upstream: UpstreamAddress;
  upstreamTls: UpstreamTlsMode;
  upstreamConnections: number;
  upstreamTimeoutMs: number;
  upstreamIdleMs: number;
  keepCopy: boolean;
}

type Kind = 'upstream' | 'tls' | 'integer' | 'duration' | 'switch';

interface Option {
  key: keyof ProxyOptions;
  kind: Kind;
  default: string;
  description: string;
}

const option = (key: keyof ProxyOptions, kind: Kind, defaultValue: string, description: string): Option => ({ key, kind, default: defaultValue, description });

/** Key = flag name. */
const PROXY_SCHEMA: Record<string, Option> = {
  upstream: option('upstream', 'upstream', '', 'the MTA to forward to, HOST:PORT (required)'),
  'upstream-tls': option('upstreamTls', 'tls', 'opportunistic', 'STARTTLS to the upstream: require (refuse mail if it cannot be encrypted), opportunistic (when offered), off'),
  'upstream-connections': option('upstreamConnections', 'integer', '20', 'most connections open to the upstream at once, shared by all clients'),
  'upstream-timeout': option('upstreamTimeoutMs', 'duration', '60s', 'how long to wait for each upstream reply before answering the client 451 4.4.1'),
  'upstream-idle': option('upstreamIdleMs', 'duration', '30s', 'close an upstream connection left idle in the pool this long'),
  'keep-copy': option('keepCopy', 'switch', 'off', 'also store what the upstream accepted, and serve the web UI and API on --http'),
};

function parse(kind: Kind, text: string): ProxyOptions[keyof ProxyOptions] {
  switch (kind) {
    case 'upstream': {
      const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(text);
      if (!match || Number(match[3]) < 1 || Number(match[3]) > 65535) throw new ConfigError('expected HOST:PORT, e.g. 127.0.0.1:25 or [::1]:25');
      return { host: match[1] ?? match[2]!, port: Number(match[3]) };
    }
    case 'tls':
      if (text !== 'require' && text !== 'opportunistic' && text !== 'off') throw new ConfigError('expected require, opportunistic or off');
      return text;
    case 'integer':
      if (!/^\d+$/.test(text) || Number(text) < 1) throw new ConfigError('expected a whole number ≥ 1');
      return Number(text);
    case 'duration': {
      const ms = parseDuration(text);
      if (ms === 0) throw new ConfigError('must be longer than 0');
      return ms;
    }
    case 'switch':
      if (['on', 'true', 'yes'].includes(text)) return true;
      if (['off', 'false', 'no'].includes(text)) return false;
      throw new ConfigError('expected on or off');
  }
}

/**
 * Split the command line into the proxy's flags and serve's, and parse both. A switch may stand
 * alone (`--keep-copy`), the other flags take a value (`--flag value` or `--flag=value`).
 */
export function loadProxyConfig(argv: readonly string[], env: NodeJS.ProcessEnv): { config: Config; proxy: ProxyOptions } {
  const given = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(argv[i]!);
    const spec = match ? PROXY_SCHEMA[match[1]!] : undefined;
    if (!match || !spec) {
      rest.push(argv[i]!);
      continue;
    }
    let value = match[2];
    if (value === undefined) {
      const next = argv[i + 1];
      if (spec.kind === 'switch' && (next === undefined || next.startsWith('--'))) value = 'on';
      else if (next === undefined) throw new ConfigError(`--${match[1]} needs a value`);
      else value = argv[++i]!;
    }
    given.set(match[1]!, value);
  }
  const proxy: Partial<Record<keyof ProxyOptions, unknown>> = {};
  for (const [flag, spec] of Object.entries(PROXY_SCHEMA)) {
    const fromEnv = env[envName(flag)];
    const source = given.has(flag) ? `--${flag}` : fromEnv !== undefined ? envName(flag) : 'default';
    const text = (given.get(flag) ?? fromEnv ?? spec.default).trim();
    if (text === '') throw new ConfigError(`tidemail proxy needs --${flag} (or ${envName(flag)}): ${spec.description}`);
    try {
      proxy[spec.key] = parse(spec.kind, text);
    } catch (error) {
      throw new ConfigError(`invalid value "${text}" for ${source}: ${(error as Error).message}`);
    }
  }
  return { config: loadConfig(rest, env), proxy: proxy as ProxyOptions };
}

export function proxyHelpText(): string {
  const lines = [
    'Usage: tidemail proxy --upstream HOST:PORT [options]',
    '',
    "Tidemail's SMTP front end (the same state machine, limits and policy as serve) in front of another MTA:",
    "each transaction is replayed to the upstream as it happens and the client gets the upstream's verdict.",
    'Runs the SMTP listener only; with --keep-copy also the store and the HTTP listener (web UI, API, /metrics).',
    '',
    'Proxy options:',
  ];
  const label = (flag: string, spec: Option): string => `  --${flag} <${spec.kind}>`;
  const width = Math.max(...Object.entries(PROXY_SCHEMA).map(([f, s]) => label(f, s).length)) + 2;
  for (const [flag, spec] of Object.entries(PROXY_SCHEMA)) {
    lines.push(label(flag, spec).padEnd(width) + spec.description);
    lines.push(''.padEnd(width) + `default: ${spec.default === '' ? '(none)' : spec.default}; env: ${envName(flag)}`);
  }
  lines.push('', "And serve's options (--pop3 and --imap are not used; --http, --data and retention only with --keep-copy):", '');
  lines.push(...helpText().split('\n').slice(4));
  return lines.join('\n');
}
