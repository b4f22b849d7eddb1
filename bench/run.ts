/**
 * `npm run bench [-- --quick | --big | --only smtp,api,…]`: start `tidemail serve` on a fresh
 * data dir (and smtp-sink as the reference), run the cells, stop both, print the table and
 * write bench/results/<timestamp>.json. Traffic goes only to 127.0.0.1.
 */
import { parseOptions, UsageError } from './options.js';
import { startReference } from './reference.js';
import { runSmtpCells } from './cells/smtp.js';
import { startTarget } from './target.js';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const target = await startTarget();
  const reference = await startReference();
  try {
    const smtp = await runSmtpCells({ host: target.host, port: target.ports.smtp!, pid: target.pid }, reference, options.timing, (l) => console.log(l));
    console.log(JSON.stringify({ peak: smtp.peakRssBytes, stored: smtp.stored }));
  } finally {
    await reference?.stop();
    await target.stop();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
