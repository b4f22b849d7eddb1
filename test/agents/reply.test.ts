/**
 * The pure parts of answering: which messages loop safety declines (RFC 3834 §2 and WildDuck's
 * skips; what is still answered), and the reply's bytes (compose.ts): threading, RFC 3834 marks
 * an agent cannot take away, subjects, encodings, and header fields at the top of a program's output.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { composeReply, replySubject, splitHeadedText } from '../../src/agents/compose.js';
import { declineReason } from '../../src/agents/loop-safety.js';
import { parseListingFields } from '../../src/mail/headers.js';
import { parseBody } from '../../src/mail/parse.js';

const AGENT = 'echo@tidemail.test';
const h = (name: string, value: string) => ({ name, value });

it('declines what RFC 3834 and WildDuck say must not be answered, and nothing else', () => {
  const from = (mailFrom: string, ...headers: Array<{ name: string; value: string }>) => declineReason({ envelope: { mailFrom }, headers }, AGENT);
  assert.equal(from('ann@x.test', h('auto-submitted', 'auto-generated')), 'auto-submitted');
  assert.equal(from('ann@x.test', h('Auto-Submitted', 'auto-replied; owner-email="a@x.test"')), 'auto-submitted');
  assert.equal(from('ann@x.test', h('auto-submitted', 'no')), null, '"no" is a person writing');
  assert.equal(from('ann@x.test', h('auto-submitted', 'No (typed by hand)')), null);
  assert.equal(from(''), 'null-sender');
  for (const value of ['bulk', 'List', 'junk']) assert.equal(from('ann@x.test', h('precedence', value)), 'precedence');
  assert.equal(from('ann@x.test', h('precedence', 'first-class')), null);
  assert.equal(from('ann@x.test', h('list-id', '<l.x.test>')), 'mailing-list');
  assert.equal(from('ann@x.test', h('list-unsubscribe', '<mailto:u@x.test>')), 'mailing-list');
  for (const sender of ['MAILER-DAEMON@x.test', 'noreply@x.test', 'no-reply+abc@x.test', 'do_not_reply@x.test', 'DoNotReply@x.test']) assert.equal(from(sender), 'daemon-sender', sender);
  assert.equal(from('noreplyjoe@x.test'), null);
  assert.equal(from('ann@x.test', h('x-auto-response-suppress', 'DR, OOF')), 'suppressed');
  assert.equal(from('ann@x.test', h('x-auto-response-suppress', 'All')), 'suppressed');
  assert.equal(from('ann@x.test', h('x-auto-response-suppress', 'DR, RN')), null, 'only delivery receipts suppressed: a reply is fine');
  assert.equal(from('Echo@tidemail.test'), 'own-address');
  assert.equal(from('ann@x.test'), null);
});

const ADDRESSING = {
  from: AGENT,
  to: 'ann@x.test',
  original: [h('message-id', '<m2@x.test>'), h('references', '<m0@x.test> <m1@x.test>')],
  originalSubject: 'Grüße',
  hostname: 'mx.tidemail.test',
  date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
};

it('threads the reply, marks it auto-replied, and keeps those marks from the agent', async () => {
  const raw = composeReply(
    { body: 'Hallo, schön!\nline two', headers: [h('Auto-Submitted', 'no'), h('To', 'victim@x.test'), h('X-Agent', 'mirror'), h('Bcc', 'more@x.test')] },
    ADDRESSING,
  );
  const text = raw.toString();
  assert.match(text, /^From: echo@tidemail\.test\r\nTo: ann@x\.test\r\n/);
  assert.match(text, /\r\nIn-Reply-To: <m2@x\.test>\r\nReferences: <m0@x\.test> <m1@x\.test> <m2@x\.test>\r\nAuto-Submitted: auto-replied\r\n/);
  assert.match(text, /\r\nDate: Fri, 02 Jan 2026 03:04:05 \+0000\r\n/);
  assert.match(text, /\r\nX-Agent: mirror\r\n/);
  assert.doesNotMatch(text, /victim|more@|Auto-Submitted: no/);
  const parsed = await parseBody(raw, '');
  assert.equal(parseListingFields(raw).subject, 'Re: Grüße', 'the subject is RFC 2047 encoded and decodes back');
  assert.equal(parsed.text.trim(), 'Hallo, schön!\r\nline two', 'non-ASCII text travels as base64 UTF-8');
});

it('never stacks Re:, and reads header fields at the top of text output', () => {
  assert.equal(replySubject('Re: hi'), 'Re: hi');
  assert.equal(replySubject('RE:hi'), 'RE:hi');
  assert.equal(replySubject(' hi '), 'Re: hi');
  assert.deepEqual(splitHeadedText('Subject: Done\nX-Long: a\n  b\n\nbody\n'), { subject: 'Done', body: 'body\n', headers: [h('Subject', 'Done'), h('X-Long', 'a b')] });
  assert.deepEqual(splitHeadedText('just text\n\nmore'), { body: 'just text\n\nmore' });
  assert.deepEqual(splitHeadedText('no blank line'), { body: 'no blank line' });
});
