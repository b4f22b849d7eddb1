/**
 * --capture-outbound's marks: kept in state.db across a reopen, forgotten when the message is
 * deleted (so they stay bounded by the store), and served by the API for the Outbound tab.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StateOutboundMarks, forgetDeleted } from '../../src/delivery/outbound-capture.js';
import { MemoryEventBus } from '../../src/events/bus.js';
import { StateDatabase } from '../../src/store/sqlite/state-db.js';
import { getJson } from '../helpers/http.js';
import { startServer } from '../helpers/server.js';

describe('outbound marks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-marks-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('survive reopening the state database and are forgotten with their message', () => {
    const first = StateDatabase.inDataDir(dir);
    const marks = new StateOutboundMarks(first);
    marks.mark(3, 'shop', 1);
    marks.mark(7, 'shop', 2);
    marks.mark(5, 'other', 3);
    first.close();

    const again = StateDatabase.inDataDir(dir);
    const reopened = new StateOutboundMarks(again);
    assert.deepEqual(reopened.list('shop', 10), [7, 3], 'newest first');
    const events = new MemoryEventBus();
    const stop = forgetDeleted(events, reopened);
    events.publish({ type: 'message.deleted', id: 7, inbox: 'shop' });
    assert.deepEqual(reopened.list('shop', 10), [3]);
    stop();
    again.close();
  });

  it('are served at /api/v1/inboxes/{inbox}/outbound, saying whether capture is on', async () => {
    for (const [args, capture] of [[['--capture-outbound', 'on'], true], [[], false]] as const) {
      const server = await startServer({ args: [...args] });
      try {
        const r = await getJson<{ inbox: string; capture: boolean; ids: number[] }>(`http://127.0.0.1:${server.ports.http}/api/v1/inboxes/Shop/outbound`);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { inbox: 'shop', capture, ids: [] });
      } finally {
        await server.dispose();
      }
    }
  });
});
