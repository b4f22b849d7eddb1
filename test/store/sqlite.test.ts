import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { storeConformance } from './conformance.js';

storeConformance('sqlite', {
  async create(retention, events) {
    const dir = mkdtempSync(join(tmpdir(), 'tidemail-store-'));
    const path = join(dir, 'tidemail.db');
    const open = () => SqliteStore.open({ path, retention, events });
    return { store: await open(), reopen: open, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  },
});
