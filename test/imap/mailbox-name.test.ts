/** Modified UTF-7 mailbox names (RFC 3501 §5.1.3): the RFC's own example, round trips, and the non-canonical forms refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMailboxName, encodeMailboxName } from '../../src/imap/mailbox-name.js';

describe('modified UTF-7 mailbox names', () => {
  it('encodes and decodes the RFC 3501 example and other scripts', () => {
    assert.equal(encodeMailboxName('~peter/mail/台北/日本語'), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
    assert.equal(decodeMailboxName('~peter/mail/&U,BTFw-/&ZeVnLIqe-'), '~peter/mail/台北/日本語');
    for (const name of ['INBOX', 'Entwürfe', 'Tom & Jerry', 'Корзина', '😀 emoji', 'a&b&c', '']) {
      assert.equal(decodeMailboxName(encodeMailboxName(name)), name, name);
    }
    assert.equal(encodeMailboxName('Tom & Jerry'), 'Tom &- Jerry');
  });

  it('refuses what is not canonical modified UTF-7', () => {
    for (const wire of ['&Jjo', '&AGE-', '&U,BTFw-&ZeVnLIqe-', 'caf\u00e9', 'tab\there', '&2D0-', '&*-']) {
      assert.equal(decodeMailboxName(wire), null, JSON.stringify(wire));
    }
  });
});
