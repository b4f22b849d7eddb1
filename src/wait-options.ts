/**
 * The flags of `tidemail wait`, as one typed table like `serve`'s (config.ts): from it come the
 * parsing, the errors naming the flag, and `tidemail wait --help` with every default. Durations
 * are parsed by config.ts, so `--timeout 90s` means what `--smtp-timeout 90s` means.
 *
 * The matchers pass through to the server's `wait` (http/wait-criteria.ts), which validates
 * them; what is checked here is what the server cannot see: the shape of the command line.
 */
import { ConfigError, parseDuration } from './config.js';

type Kind = 'url' | 'text' | 'id' | 'duration' | 'switch';

interface KindValue {
  url: URL;
  text: string | null;
  id: number;
  duration: number;
  switch: boolean;
}

interface Option<K extends Kind = Kind> {
  kind: K;
  /** As a user would write it; '' = unset. */
  default: string;
  description: string;
  /** The environment variable that stands in for the flag, if it has one. */
  env?: string;
}

const option = <K extends Kind>(kind: K, defaultValue: string, description: string, env?: string): Option<K> => ({ kind, default: defaultValue, description, ...(env ? { env } : {}) });

/** Key = flag name. */
export const WAIT_SCHEMA = {
  api: option('url', 'http://127.0.0.1:8025', 'the Tidemail HTTP server', 'TIDEMAIL_API'),
  from: option('text', '', 'only a message whose From name or address contains this (any case)'),
  to: option('text', '', 'only a message with a To name or address containing this (any case)'),
  subject: option('text', '', 'only a message whose subject contains this (any case)'),
  contains: option('text', '', 'only a message whose body holds these words, as search matches them'),
  after: option('id', '0', 'only messages newer than this id (0: the whole inbox, oldest first)'),
  timeout: option('duration', '30s', 'give up after this long, e.g. 30s, 2m (rounded up to whole seconds)'),
  code: option('switch', '', "print the message's one-time code; waits for a message that has one"),
  link: option('switch', '', "print the message's action link; waits for a message that has one"),
  json: option('switch', '', "print the message's summary as JSON (the API's shape)"),
} as const;

type Schema = typeof WAIT_SCHEMA;
type Flag = keyof Schema;

/** What to print of the message found: one of the switches, or a line describing it. */
export type Output = 'code' | 'link' | 'json' | 'line';

export interface WaitOptions {
  inbox: string;
  api: URL;
  /** Server-side matchers, by their query parameter names. */
  matchers: { from: string | null; to: string | null; subject: string | null; contains: string | null };
  afterId: number;
  timeoutMs: number;
  output: Output;
}

export type WaitCommand = { help: true } | ({ help: false } & WaitOptions);

const OUTPUTS = ['code', 'link', 'json'] as const;

function parseValue<K extends Kind>(kind: K, text: string): KindValue[K] {
  const parsers: { [P in Kind]: (t: string) => KindValue[P] } = {
    url: (t) => {
      const url = URL.canParse(t) ? new URL(t) : null;
      if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new ConfigError('expected an http(s) URL such as http://127.0.0.1:8025');
      return url;
    },
    text: (t) => (t === '' ? null : t),
    id: (t) => {
      if (!/^(0|[1-9][0-9]{0,15})$/.test(t)) throw new ConfigError('expected a message id (a whole number)');
      return Number(t);
    },
    duration: parseDuration,
    switch: () => true,
  };
  return parsers[kind](text);
}

const isFlag = (name: string): name is Flag => Object.hasOwn(WAIT_SCHEMA, name);

/** Read `tidemail wait`'s arguments (after the word `wait`); throws ConfigError naming what is wrong. */
export function parseWaitArgs(argv: readonly string[], env: NodeJS.ProcessEnv): WaitCommand {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const given = new Map<Flag, string>();
  const inboxes: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      inboxes.push(arg);
      continue;
    }
    const [, flag, inlineValue] = /^--([a-z]+)(?:=(.*))?$/s.exec(arg) ?? [];
    if (flag === undefined || !isFlag(flag)) throw new ConfigError(`unknown flag ${arg.replace(/=.*/s, '')} (see tidemail wait --help)`);
    let value = inlineValue;
    if (WAIT_SCHEMA[flag].kind === 'switch') {
      if (value !== undefined) throw new ConfigError(`--${flag} takes no value`);
      value = '';
    } else if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new ConfigError(`--${flag} needs a value`);
    }
    // `--from "$UNSET"` is a script's mistake, not a wish to match anything.
    if (value.trim() === '' && WAIT_SCHEMA[flag].kind !== 'switch') throw new ConfigError(`--${flag} must not be empty (leave it out to match anything)`);
    if (given.has(flag)) throw new ConfigError(`--${flag} is given more than once`);
    given.set(flag, value);
  }
  if (inboxes.length !== 1) {
    throw new ConfigError(inboxes.length === 0 ? 'which inbox? usage: tidemail wait INBOX [options]' : `one inbox at a time, not ${inboxes.map((name) => `"${name}"`).join(' and ')}`);
  }
  const outputs = OUTPUTS.filter((flag) => given.has(flag));
  if (outputs.length > 1) throw new ConfigError(`--${outputs[0]} and --${outputs[1]} cannot be combined: choose what to print`);

  const value = <F extends Flag>(flag: F): KindValue[Schema[F]['kind']] => {
    const spec: Option = WAIT_SCHEMA[flag];
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    const source = given.has(flag) ? `--${flag}` : fromEnv !== undefined && spec.env ? spec.env : 'default';
    const text = given.get(flag) ?? fromEnv ?? spec.default;
    try {
      return parseValue(WAIT_SCHEMA[flag].kind, text) as KindValue[Schema[F]['kind']];
    } catch (error) {
      const reason = error instanceof ConfigError ? error.message : String(error);
      throw new ConfigError(`invalid value "${text}" for ${source}: ${reason}`);
    }
  };
  return {
    help: false,
    inbox: inboxes[0]!,
    api: value('api'),
    matchers: { from: value('from'), to: value('to'), subject: value('subject'), contains: value('contains') },
    afterId: value('after'),
    timeoutMs: value('timeout'),
    output: outputs[0] ?? 'line',
  };
}

export function waitHelpText(): string {
  const lines = [
    'Usage: tidemail wait INBOX [options]',
    '',
    'Wait for a message in INBOX (a name or a full address) that meets every option given, and print',
    'it: a line naming it, or what --code, --link or --json ask for. The oldest such message newer than',
    '--after wins, so mail that landed before the command started is found too.',
    '',
    'Exit status: 0 with the message printed; 1 if none came in time (a line on stderr says so);',
    '2 for a bad option or an API that cannot be reached or refuses the request.',
    '',
  ];
  const entries = Object.entries(WAIT_SCHEMA) as Array<[Flag, Option]>;
  const label = ([flag, spec]: [Flag, Option]): string => `  --${flag}${spec.kind === 'switch' ? '' : ` <${spec.kind}>`}`;
  const width = Math.max(...entries.map((entry) => label(entry).length)) + 2;
  for (const entry of entries) {
    const spec = entry[1];
    lines.push(label(entry).padEnd(width) + spec.description);
    const facts = [...(spec.default === '' ? [] : [`default: ${spec.default}`]), ...(spec.env ? [`env: ${spec.env}`] : [])];
    if (facts.length > 0) lines.push(''.padEnd(width) + facts.join('; '));
  }
  return lines.join('\n');
}
