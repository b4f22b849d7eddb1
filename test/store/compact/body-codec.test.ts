/**
 * The compact body store gives back exactly the bytes received, whatever the message: a property
 * test over random MIME trees (nested multiparts, base64 attachments shared between messages,
 * text in every encoding, malformed structure) from a seeded generator, so a failure replays.
 * And the reference counts: deleting messages that share parts and dictionaries frees nothing
 * another message still uses, and leaves nothing behind once the last one is gone.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import { BodyCodec, COMPACT_DDL } from '../../../src/store/compact/body-codec.js';
import { Random } from '../../../bench/corpus/random.js';
import { corpus } from '../../../bench/corpus/transactional.js';

function database(): Database.Database {
  const db = new Database(':memory:');
  db.exec(COMPACT_DDL);
  return db;
}

/** The bytes the codec's rows hold: the blobs given out plus what the tables keep. */
function tableBytes(db: Database.Database): number {
  return (db.prepare('SELECT (SELECT coalesce(sum(length(data)), 0) FROM parts) + (SELECT coalesce(sum(length(bytes)), 0) FROM dictionaries) AS n').get() as { n: number }).n;
}

function count(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** A random MIME entity: leaves of text (7bit, quoted-printable, base64) or binary attachments from a small pool (so messages share them). */
function entity(random: Random, depth: number, pool: Buffer[]): string {
  const kind = depth > 3 ? random.int(0, 2) : random.int(0, 4);
  if (kind <= 1) return `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: ${random.pick(['7bit', 'quoted-printable', '8bit'])}\r\n\r\n${random.chars(random.int(0, 3000), 'abc def\r\n=.-é').replace(/\r(?!\n)|(?<!\r)\n/g, '\r\n')}\r\n`;
  if (kind === 2) {
    const data = random.chance(0.7) ? random.pick(pool) : random.bytes(random.int(0, 6000));
    const b64 = data.toString('base64').replace(/.{76}/g, '$&\r\n');
    return `Content-Type: ${random.pick(['application/pdf', 'image/png', 'text/html'])}; name="f.bin"\r\nContent-Transfer-Encoding: ${random.pick(['base64', 'BASE64', 'Base64'])}\r\n\r\n${b64}\r\n`;
  }
  if (kind === 3) return `Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n${entity(random, depth + 1, pool)}`;
  const boundary = `b${random.hex(8)}`;
  const children = Array.from({ length: random.int(0, 4) }, () => `--${boundary}\r\n${entity(random, depth + 1, pool)}`);
  // Sometimes the closing delimiter is missing or the preamble is junk: malformed mail is stored too.
  const close = random.chance(0.8) ? `--${boundary}--\r\n` : '';
  return `Content-Type: multipart/${random.pick(['mixed', 'alternative', 'related'])}; boundary="${boundary}"\r\n\r\n${random.chance(0.2) ? 'preamble\r\n' : ''}${children.join('')}${close}`;
}

function message(random: Random, pool: Buffer[]): { raw: Buffer; mailFrom: string } {
  const raw = Buffer.from(`Received: from x by y; ${random.hex(8)}\r\nFrom: a@b\r\nSubject: ${random.token(10)}\r\nMIME-Version: 1.0\r\n${entity(random, 0, pool)}`, 'utf8');
  return { raw, mailFrom: random.pick(['news@shop.example', 'no-reply@bank.example', '', 'x@Shop.Example']) };
}

it('gives back every random MIME tree byte for byte, and frees shared parts and dictionaries only with their last body', () => {
  const random = new Random(1818);
  const pool = Array.from({ length: 5 }, () => random.bytes(random.int(1500, 9000)));
  const db = database();
  const codec = new BodyCodec(db);
  const stored: Array<{ raw: Buffer; codec: number; blob: Buffer }> = [];
  // What the store's totals would say: every body's storedBytes in, every release out.
  let counted = 0;
  let blobs = 0;
  for (let i = 0; i < 400; i++) {
    const { raw, mailFrom } = message(random, pool);
    const encoded = db.transaction(() => codec.encode(raw, mailFrom))();
    stored.push({ raw, codec: encoded.codec, blob: encoded.blob });
    assert.ok(encoded.storedBytes >= encoded.blob.length);
    counted += encoded.storedBytes;
    blobs += encoded.blob.length;
    assert.equal(counted, blobs + tableBytes(db), 'a body counts its blob and the rows it made');
  }
  const shared = (db.prepare('SELECT count(*) AS n FROM parts WHERE refs > 1').get() as { n: number }).n;
  assert.ok(shared > 0 && shared <= pool.length, `the pool's attachments are each stored once (${shared} shared parts)`);
  assert.ok(count(db, 'dictionaries') > 0, 'families got dictionaries');
  // A fresh codec on the same rows (another connection, a restart) reads them all back.
  const reader = new BodyCodec(db);
  for (const s of stored) assert.ok(reader.decode(s.codec, s.blob).equals(s.raw));
  // Delete in random order; after each deletion every remaining body still reads back.
  const order = stored.map((_s, i) => i).sort(() => random.next() - 0.5);
  order.forEach((index, n) => {
    const s = stored[index]!;
    counted -= db.transaction(() => codec.release(s.codec, s.blob.subarray(0, 65536), s.blob.length))();
    blobs -= s.blob.length;
    assert.equal(counted, blobs + tableBytes(db), 'a release frees its blob and the rows nobody else uses');
    if (n % 50 === 0) for (const k of order.slice(n + 1)) assert.ok(reader.decode(stored[k]!.codec, stored[k]!.blob).equals(stored[k]!.raw));
  });
  assert.equal(count(db, 'parts'), 0, 'no shared part leaked');
  assert.equal(count(db, 'dictionaries'), 0, 'no dictionary leaked');
  assert.equal(counted, 0, 'every byte counted in was counted out');
});

it('stores a sign-up mail of a known sender in a fraction of its size, and a rolled-back encode leaves nothing behind', () => {
  const db = database();
  const codec = new BodyCodec(db);
  let raw = 0;
  let kept = 0;
  for (const m of corpus(1500)) {
    const mailFrom = m.sender < 0 ? 'someone@home.example' : `no-reply@sender${m.sender}.example`;
    const encoded = db.transaction(() => codec.encode(m.raw, mailFrom))();
    raw += m.raw.length;
    kept += encoded.storedBytes;
    assert.ok(codec.decode(encoded.codec, encoded.blob).equals(m.raw));
  }
  assert.ok(kept / raw < 0.35, `stored ${(kept / raw).toFixed(3)} of raw`);
  const before = { parts: count(db, 'parts'), dictionaries: count(db, 'dictionaries') };
  const [first] = [...corpus(1, 99)];
  assert.throws(() =>
    db.transaction(() => {
      codec.encode(first!.raw, 'new@brand-new.example');
      throw new Error('rolled back');
    })(),
  );
  assert.deepEqual({ parts: count(db, 'parts'), dictionaries: count(db, 'dictionaries') }, before);
  // After the rollback the codec still writes bodies that read back.
  for (const m of corpus(20, 7)) {
    const encoded = db.transaction(() => codec.encode(m.raw, 'new@brand-new.example'))();
    assert.ok(codec.decode(encoded.codec, encoded.blob).equals(m.raw));
  }
});

it('reads a body stored before compaction (codec 0) as it is', () => {
  const codec = new BodyCodec(database());
  const raw = Buffer.from('Subject: old\r\n\r\nstored by version 6\r\n');
  assert.ok(codec.decode(0, raw).equals(raw));
});
