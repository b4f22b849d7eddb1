/**
 * The store matches one message's body text itself (`bodyMatches`, for HTTP `wait?contains=`,
 * search.ts's columnMatcher), and it must agree with the FTS5 index on every query, including
 * case, accents and scripts whose marks split words.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrate } from '../../src/store/sqlite/schema.js';
import { columnMatcher, queryWords, toFtsQuery } from '../../src/store/sqlite/search.js';

const SUBJECTS = [
  'Grüße aus Köln',
  'Your code: 4711',
  'हिन्दी समाचार',
  '日本語のテスト',
  'مرحبا بِالعالم',
  'order_id 998 shipped',
  'ÅNGSTRÖM Ça va',
  'İstanbul trip',
  'naïve café résumé',
  'Ελληνικά νέα',
  'O\u0308ffnen (decomposed umlaut)',
];
const ADDRESSES = 'Jörg Müller joerg@example.test';

const QUERIES = [
  'grusse', 'gruß', 'KOLN', 'code 47', '4711', 'हिन्दी', 'समा', '日本', 'テスト', 'بالعالم', 'بِالعالم', 'order_id', 'order_i',
  'angstrom', 'ca va', 'istanbul', 'naive resume', 'ελληνικα', 'ελληνικά', 'offnen', 'jorg', 'muller', 'joerg@example.test',
  'jörg café', 'nothing here', '"*(OR) NEAR',
];

test('one body is matched exactly as the FTS index matches it', () => {
  const db = new Database(':memory:');
  migrate(db);
  const insert = db.prepare('INSERT INTO bodies_fts (rowid, subject, addresses, body) VALUES (?, ?, ?, ?)');
  SUBJECTS.forEach((subject, i) => insert.run(i + 1, '', '', `${subject} ${ADDRESSES}`));
  const ftsMatches = db.prepare<[string], number>('SELECT rowid FROM bodies_fts WHERE bodies_fts MATCH ? ORDER BY rowid').pluck();
  let nonEmpty = 0;
  for (const query of QUERIES) {
    const words = queryWords(query);
    assert.ok(words, query);
    const indexed = ftsMatches.all(`body : (${toFtsQuery(words)})`);
    const matches = columnMatcher(words);
    const unindexed = SUBJECTS.flatMap((subject, i) => (matches(`${subject} ${ADDRESSES}`) ? [i + 1] : []));
    assert.deepEqual(unindexed, indexed, `query ${JSON.stringify(query)}`);
    if (indexed.length > 0 && indexed.length < SUBJECTS.length) nonEmpty++;
  }
  assert.ok(nonEmpty >= 15, `most queries pick out some subjects, not none or all (${nonEmpty})`);
  db.close();
});
