/**
 * Independent clients: Python's smtplib sends, Python's poplib reads back (user, pass_, stat,
 * list, uidl, retr, top, dele, quit, stls), and the bytes poplib returns after un-stuffing must
 * be exactly what the store holds: the message as sent with our Received header in front. The
 * app runs in this process so the test can read the store; everything else is real sockets.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { freshDataDir, inProcessArgs, removeDataDir } from '../helpers/server.js';
import { freshInbox } from './helpers.js';

const run = promisify(execFile);

let app: App;
let dataDir: string;
const port = (name: string): number => app.servers.find((s) => s.name === name)!.address.port;

before(async () => {
  dataDir = freshDataDir();
  const config = loadConfig(inProcessArgs(dataDir), {});
  app = await startApp(config, createLogger('silent'));
});
after(async () => {
  await app.stop();
  removeDataDir(dataDir);
});

/**
 * Sends every message with smtplib, waits until they are visible (a 250 means committed; the
 * HTTP wait endpoint answers once a message is shown), then reads the inbox with poplib; prints JSON.
 */
const ROUND_TRIP = `
import base64, json, poplib, smtplib, ssl, sys, urllib.request
args = json.loads(sys.argv[1])
with smtplib.SMTP('127.0.0.1', args['smtp']) as s:
    for m in args['messages']:
        s.sendmail('sender@example.test', [args['inbox'] + '@tidemail.test'], base64.b64decode(m))
seen = 0
for _ in args['messages']:
    with urllib.request.urlopen('http://127.0.0.1:%d/api/v1/inboxes/%s/wait?after=%d&timeout=10' % (args['http'], args['inbox'], seen)) as r:
        if r.status != 200: sys.exit('message not visible in time')
        seen = json.load(r)['id']
p = poplib.POP3('127.0.0.1', args['pop3'])
if args['stls']:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    p.stls(ctx)
capa = p.capa()
p.user(args['inbox'])
p.pass_('any password')
count, octets = p.stat()
resp, listing, _ = p.list()
resp, uidl, _ = p.uidl()
retr = []
for n in range(1, count + 1):
    resp, lines, _ = p.retr(n)
    retr.append({'status': resp.decode(), 'bytes': base64.b64encode(b''.join(l + b'\\r\\n' for l in lines)).decode()})
resp, top, _ = p.top(1, 0)
if args['dele']:
    p.dele(1)
bye = p.quit()
p = poplib.POP3('127.0.0.1', args['pop3'])
p.user(args['inbox'])
p.pass_('x')
after = p.stat()[0]
p.quit()
print(json.dumps({
    'capa': sorted(capa.keys()), 'count': count, 'octets': octets,
    'list': [l.decode() for l in listing], 'uidl': [l.decode() for l in uidl], 'retr': retr,
    'top': base64.b64encode(b''.join(l + b'\\r\\n' for l in top)).decode(),
    'bye': bye.decode(), 'after': after,
}))
`;

interface RoundTrip {
  capa: string[];
  count: number;
  octets: number;
  list: string[];
  uidl: string[];
  retr: Array<{ status: string; bytes: string }>;
  top: string;
  bye: string;
  after: number;
}

async function roundTrip(inbox: string, messages: Buffer[], options: { stls?: boolean; dele?: boolean } = {}): Promise<RoundTrip> {
  const args = { smtp: port('smtp'), pop3: port('pop3'), http: port('http'), inbox, stls: options.stls ?? false, dele: options.dele ?? false, messages: messages.map((m) => m.toString('base64')) };
  const { stdout } = await run('python3', ['-c', ROUND_TRIP, JSON.stringify(args)], { timeout: 30_000 });
  return JSON.parse(stdout) as RoundTrip;
}

/** Our trace header: one "Received:" field, possibly folded, and nothing else. */
const RECEIVED = /^Received: [^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*$/;

/** `deleted`: message numbers the session deleted, so no longer in the store to compare with. */
async function assertIdentical(result: RoundTrip, sent: Buffer[], deleted: number[] = []): Promise<void> {
  assert.equal(result.count, sent.length);
  let total = 0;
  for (let i = 0; i < sent.length; i++) {
    const got = Buffer.from(result.retr[i]!.bytes, 'base64');
    const id = Number(result.uidl[i]!.split(' ')[1]);
    const stored = await app.parts.store.raw(id);
    if (deleted.includes(i + 1)) {
      assert.equal(stored, null, `message ${i + 1} was deleted at QUIT`);
    } else {
      assert.ok(stored, `message ${id} is in the store`);
      assert.ok(got.equals(stored), `RETR ${i + 1} returns the stored bytes exactly`);
    }
    // What the store holds is the message as sent, with our Received header prepended.
    const original = sent[i]!;
    assert.ok(got.subarray(got.length - original.length).equals(original), `RETR ${i + 1} ends with the message as sent`);
    assert.match(got.subarray(0, got.length - original.length).toString('latin1'), RECEIVED);
    assert.equal(result.retr[i]!.status, `+OK ${got.length} octets`);
    assert.equal(result.list[i], `${i + 1} ${got.length}`);
    total += got.length;
  }
  assert.equal(result.octets, total);
}

it('smtplib → poplib: RETR returns the stored bytes exactly; TOP, UIDL, DELE and QUIT behave', async () => {
  const inbox = freshInbox('py');
  const sent = [
    Buffer.from('From: Ana <ana@example.test>\r\nTo: someone@tidemail.test\r\nSubject: Grüße\r\n\r\nHallo, schöne Grüße.\r\nZweite Zeile.\r\n', 'utf8'),
    Buffer.from('From: bob@example.test\r\nSubject: second\r\n\r\nplain body\r\n'),
  ];
  const result = await roundTrip(inbox, sent, { dele: true });
  await assertIdentical(result, sent, [1]);
  for (const capability of ['TOP', 'UIDL', 'USER', 'SASL', 'STLS', 'PIPELINING', 'RESP-CODES']) assert.ok(result.capa.includes(capability), capability);
  const first = Buffer.from(result.retr[0]!.bytes, 'base64').toString('latin1');
  assert.equal(Buffer.from(result.top, 'base64').toString('latin1'), first.slice(0, first.indexOf('\r\n\r\n') + 4));
  assert.match(result.bye, /^\+OK .*\(1 message deleted\)$/);
  assert.equal(result.after, 1);
});

it('a message whose lines start with "." comes back byte-identical', async () => {
  const inbox = freshInbox('py');
  const sent = [
    Buffer.from('.Subject-less: header line starting with a dot\r\nFrom: dot@example.test\r\n\r\n.\r\n..\r\n.leading dot\r\n...three\r\n. \r\nlast\r\n.\r\n'),
  ];
  const result = await roundTrip(inbox, sent);
  await assertIdentical(result, sent);
});

it('poplib over STLS reads the same bytes', async () => {
  const inbox = freshInbox('py');
  const sent = [Buffer.from('From: tls@example.test\r\nSubject: over TLS\r\n\r\n.dot line\r\nbody\r\n')];
  const result = await roundTrip(inbox, sent, { stls: true });
  await assertIdentical(result, sent);
  assert.ok(!result.capa.includes('STLS'), 'STLS is no longer offered once TLS is active');
});
