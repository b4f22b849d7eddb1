/**
 * RETR marks a message seen in the store that IMAP and the web UI read; TOP does not. The app
 * runs in this process so the test can look at the store's flags; mail goes in over SMTP and
 * is read over POP3, on real sockets.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { freshDataDir, removeDataDir } from '../helpers/server.js';
import { deliver, freshInbox, login, messages } from './helpers.js';

let app: App;
let dataDir: string;
const port = (name: string): number => app.servers.find((s) => s.name === name)!.address.port;

before(async () => {
  dataDir = freshDataDir();
  const config = loadConfig(['--smtp', '127.0.0.1:0', '--pop3', '127.0.0.1:0', '--data', dataDir], {});
  app = await startApp(config, createLogger('silent'));
});
after(async () => {
  await app.stop();
  removeDataDir(dataDir);
});

it('RETR marks the message seen for every protocol; TOP and LIST do not', async () => {
  const inbox = freshInbox();
  await deliver(port('smtp'), inbox, messages(3, inbox));
  const flags = async (): Promise<string[][]> => (await app.context.store.mailbox(inbox)).map((m) => m.flags);
  assert.deepEqual(await flags(), [[], [], []]);

  const client = await login(port('pop3'), inbox);
  await client.sendMulti('LIST');
  await client.sendMulti('TOP 2 5');
  assert.match(await client.send('RETR 3'), /^\+OK /);
  await client.body();
  // The flag is committed before the RETR answer is complete: no waiting needed.
  assert.deepEqual(await flags(), [[], [], ['seen']]);
  client.close();
});
