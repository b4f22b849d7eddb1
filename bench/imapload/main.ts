/**
 * `node dist/bench/imapload/main.js [--quick]`: the imap-load cell alone against a fresh
 * `tidemail serve`, for working on IMAP speed without the whole bench. Prints the outcome as JSON.
 */
import { runImapLoadCell } from '../cells/imap-load.js';
import { startTarget } from '../target.js';

const quick = process.argv.includes('--quick');
const target = await startTarget(process.argv.includes('--cpu-prof') ? ['--cpu-prof', '--cpu-prof-dir', process.env.CPU_PROF_DIR ?? '/tmp'] : []);
try {
  const outcome = await runImapLoadCell(
    { smtpPort: target.ports.smtp!, imapPort: target.ports.imap, pid: target.pid },
    quick ? { warmupMs: 500, durationMs: 2_000 } : { warmupMs: 1_000, durationMs: 5_000 },
    (line) => process.stderr.write(`· ${line}\n`),
  );
  process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
} finally {
  await target.stop();
}
