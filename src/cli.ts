#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=100
/**
 * `tidemail serve [flags]`: parse the configuration, start everything, print one line per
 * listener with the address actually bound, and stop gracefully on SIGTERM/SIGINT.
 * `tidemail proxy --upstream HOST:PORT [flags]`: the same front end in front of another MTA.
 * `tidemail user add NAME`: a submission user. `tidemail wait INBOX [flags]`: wait for a message
 * and print its code, link or summary (wait-cli.ts). Usage errors print one line on stderr and exit 2.
 *
 * Node flags (the line above; `npm start` passes the same), both for peak RSS under ingest,
 * where nearly everything allocated (socket chunks, replies, message buffers) dies young:
 * - a 2 MiB semi-space keeps the young generation at 4 MiB instead of growing to
 *   32 MiB: about 40 MiB less under the benchmark's 4 KiB flood;
 * - old generations grow by 2× between full collections instead of V8's up to 4×: about 30 MiB
 *   less at 4 KiB × 20 sessions and 25 MiB at 100 KiB, with throughput within run-to-run noise
 *   (1.2× cost 30 % of the 100 KiB rate; --optimize-for-size saved 50 MiB but cost 10–17 %).
 */
import { readFileSync } from 'node:fs';
import { ConfigError, helpText, loadConfig, type LogLevel } from './config.js';
import type { Logger } from './log.js';
import type { RunningServer } from './protocol/tcp-server.js';
import { EXIT_FAILED, WaitFailure, runWait } from './wait-cli.js';
import { parseWaitArgs, waitHelpText } from './wait-options.js';

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function usageError(message: string): never {
  process.stderr.write(`tidemail: ${message}\n`);
  process.exit(EXIT_USAGE);
}

async function serve(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  let config;
  try {
    config = loadConfig(args, process.env);
  } catch (error) {
    if (error instanceof ConfigError) usageError(error.message);
    throw error;
  }
  // Loaded here, not at the top: `tidemail wait`, a CI step, starts without the server's modules.
  const { startApp } = await import('./app.js');
  await runServers(config.logLevel, (log) => startApp(config, log));
}

/**
 * Run a server process (`serve`, `proxy`) until signalled: start it, print one line per listener
 * (tests and scripts read the ports from them), and stop gracefully on SIGTERM or SIGINT; a second
 * signal means "now".
 */
async function runServers(
  logLevel: LogLevel,
  start: (log: Logger) => Promise<{ servers: RunningServer[]; stop(): Promise<void> }>,
  afterListening: () => void = () => {},
): Promise<void> {
  const [{ createLogger }, { ListenError }] = await Promise.all([import('./log.js'), import('./protocol/tcp-server.js')]);
  const log = createLogger(logLevel);
  let app;
  try {
    app = await start(log);
  } catch (error) {
    process.stderr.write(`tidemail: ${error instanceof ListenError ? error.message : `cannot start: ${(error as Error).message}`}\n`);
    process.exit(EXIT_FAILURE);
  }
  for (const server of app.servers) {
    const host = server.address.host.includes(':') ? `[${server.address.host}]` : server.address.host;
    process.stdout.write(`${server.name} listening on ${host}:${server.address.port}\n`);
  }
  afterListening();
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(EXIT_FAILURE);
    log.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`tidemail: error while stopping: ${String(error)}\n`);
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

async function wait(args: string[]): Promise<void> {
  let command;
  try {
    command = parseWaitArgs(args, process.env);
  } catch (error) {
    if (error instanceof ConfigError) usageError(error.message);
    throw error;
  }
  if (command.help) {
    process.stdout.write(`${waitHelpText()}\n`);
    return;
  }
  try {
    const outcome = await runWait(command);
    if (outcome.stdout !== undefined) process.stdout.write(`${outcome.stdout}\n`);
    if (outcome.stderr !== undefined) process.stderr.write(`${outcome.stderr}\n`);
    process.exit(outcome.status);
  } catch (error) {
    if (!(error instanceof WaitFailure)) throw error;
    process.stderr.write(`tidemail wait: ${error.message}\n`);
    process.exit(EXIT_FAILED);
  }
}

// --- `tidemail user add` (issue 16, part "submit") ---
async function user(args: string[]): Promise<void> {
  const { USER_HELP, addUser, parseUserArgs, readPassword } = await import('./auth/user-cli.js');
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USER_HELP}\n`);
    return;
  }
  try {
    const command = parseUserArgs(args, process.env);
    await addUser(command, await readPassword());
    process.stderr.write(`tidemail: ${command.name} set in ${command.usersFile}\n`);
  } catch (error) {
    if (error instanceof ConfigError) usageError(error.message);
    throw error;
  }
}
// --- end user add ---

// ── Proxy mode (issue 15 §2): `tidemail proxy --upstream HOST:PORT [serve's flags]` ──
async function proxy(args: string[]): Promise<void> {
  const { loadProxyConfig, proxyHelpText } = await import('./proxy/options.js');
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${proxyHelpText()}\n`);
    return;
  }
  let loaded;
  try {
    loaded = loadProxyConfig(args, process.env);
  } catch (error) {
    if (error instanceof ConfigError) usageError(error.message);
    throw error;
  }
  const { startProxy } = await import('./app.js');
  const { host, port } = loaded.proxy.upstream;
  await runServers(loaded.config.logLevel, (log) => startProxy(loaded.config, loaded.proxy, log), () =>
    process.stdout.write(`proxying to ${host.includes(':') ? `[${host}]` : host}:${port} (upstream TLS ${loaded.proxy.upstreamTls})\n`),
  );
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'serve':
    await serve(rest);
    break;
  case 'wait':
    await wait(rest);
    break;
  case 'user':
    await user(rest);
    break;
  case 'proxy':
    await proxy(rest);
    break;
  case '--version':
  case 'version':
    process.stdout.write(`${version()}\n`);
    break;
  case undefined:
  case '--help':
  case '-h':
  case 'help':
    process.stdout.write(`Usage: tidemail <command>\n\nCommands:\n  serve     run the SMTP, HTTP, POP3 and IMAP servers (tidemail serve --help)\n  proxy     SMTP front end in front of another MTA, answering with its verdicts (tidemail proxy --help)\n  wait      wait for a message and print its code, link or summary (tidemail wait --help)\n  user      add a submission user: tidemail user add NAME (tidemail user --help)\n  version   print the version\n`);
    break;
  default:
    usageError(`unknown command "${command}" (try: tidemail --help)`);
}
