/**
 * A few MiB kept in a file beside the store, given back the moment the disk is full, so that the
 * writes that free space (deletes, evictions, a checkpoint) never fail for want of it: a SQLite
 * delete writes to the WAL first, and on a disk with no byte free even that fails. The store
 * releases it when a removal hits a full disk and retries; the full-disk guard (policy/disk.ts)
 * releases it when it declares the disk full and puts it back when there is room again.
 */
import { closeSync, existsSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const BALLAST_BYTES = 8 * 1024 * 1024;

export class Ballast {
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, 'ballast');
  }

  get present(): boolean {
    return existsSync(this.path);
  }

  release(): boolean {
    if (!this.present) return false;
    rmSync(this.path, { force: true });
    return true;
  }

  /** Put it back if there is room for it and `spareBytes` more; never leaves a partial file. */
  ensure(spareBytes = 2 * BALLAST_BYTES): void {
    if (this.present) return;
    const fs = statfsSync(join(this.path, '..'));
    if (fs.bavail * fs.bsize < BALLAST_BYTES + spareBytes) return;
    let fd: number | null = null;
    try {
      fd = openSync(this.path, 'w');
      const chunk = Buffer.alloc(1024 * 1024);
      for (let written = 0; written < BALLAST_BYTES; written += chunk.length) writeSync(fd, chunk);
    } catch {
      this.release();
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }
}

/** Whether an error is the storage engine's "disk is full" (SQLITE_FULL, ENOSPC). */
export function isDiskFull(error: unknown): boolean {
  return /SQLITE_FULL|database or disk is full|ENOSPC/i.test(String(error));
}
