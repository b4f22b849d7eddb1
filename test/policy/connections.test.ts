/** Connection admission (src/policy/connections.ts): caps in total and per client IP, and release. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ConnectionLimiter, type Admission } from '../../src/policy/connections.js';

function admitted(admission: Admission): () => void {
  assert.ok(admission.admitted, `expected admission, got ${JSON.stringify(admission)}`);
  return admission.release;
}

it('caps connections from one IP, leaving other IPs their slots', () => {
  const limiter = new ConnectionLimiter({ maxConnections: 10, maxConnectionsPerIp: 2 });
  const first = admitted(limiter.admit('192.0.2.1'));
  admitted(limiter.admit('192.0.2.1'));
  assert.deepEqual(limiter.admit('192.0.2.1'), { admitted: false, reason: 'per-ip' });
  admitted(limiter.admit('192.0.2.2'));
  assert.equal(limiter.open, 3);
  first();
  admitted(limiter.admit('192.0.2.1'));
  assert.deepEqual(limiter.admit('192.0.2.1'), { admitted: false, reason: 'per-ip' });
});

it('caps connections in total, whatever the IPs, and says which cap refused', () => {
  const limiter = new ConnectionLimiter({ maxConnections: 2, maxConnectionsPerIp: 2 });
  admitted(limiter.admit('a'));
  const second = admitted(limiter.admit('b'));
  assert.deepEqual(limiter.admit('c'), { admitted: false, reason: 'total' });
  assert.deepEqual(limiter.admit('a'), { admitted: false, reason: 'total' }, 'the total cap is checked first');
  second();
  admitted(limiter.admit('c'));
});

it('a release counts once, however often it is called', () => {
  const limiter = new ConnectionLimiter({ maxConnections: 2, maxConnectionsPerIp: 1 });
  const release = admitted(limiter.admit('a'));
  admitted(limiter.admit('b'));
  release();
  release();
  assert.equal(limiter.open, 1);
  admitted(limiter.admit('a'));
  assert.deepEqual(limiter.admit('a'), { admitted: false, reason: 'total' });
  assert.equal(limiter.open, 2);
});

it('0 means no cap', () => {
  const limiter = new ConnectionLimiter({ maxConnections: 0, maxConnectionsPerIp: 0 });
  for (let i = 0; i < 1000; i++) admitted(limiter.admit('one'));
  assert.equal(limiter.open, 1000);
});
