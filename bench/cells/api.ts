/**
 * The HTTP API cells (issue 3's contract): inbox listing `GET /api/v1/inboxes/{inbox}/messages`
 * over the 100 filled inboxes, and message fetch `GET /api/v1/messages/{id}` over ids read from
 * those listings; requests/second and p50/p99 at 50 keep-alive connections. Without an http
 * listener the cell is reported as not available.
 */
import { runHttpCell, type HttpCellResult } from '../http/load.js';
import { API_INBOXES, API_PREFIX } from './store.js';

export const API_CONNECTIONS = 50;

export interface ApiRow {
  stored: number;
  endpoint: 'listing' | 'fetch';
  result: HttpCellResult | null;
  /** Why the cell did not run. */
  unavailable?: string;
}

interface Listing {
  total?: number;
  messages?: Array<{ id?: number }>;
}

/** GET a JSON document from the server (setup requests, not measured). */
export async function getJson<T>(port: number, path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as T;
}

/**
 * The store shows a message once its parse has committed; after a fill at full speed the parser
 * may still be catching up. Wait (bounded) until these listings' totals stop growing, so the
 * cells measure reads of what was stored, not of a store half shown.
 */
export async function untilShown(port: number, paths: string[], maxMs = 120_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = -1;
  for (;;) {
    let total = 0;
    for (const path of paths) total += (await getJson<Listing>(port, path)).total ?? 0;
    if (total === last || Date.now() > deadline) return;
    last = total;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export async function runApiCells(
  target: { httpPort: number | undefined; pid: number },
  stored: number,
  timing: { warmupMs: number; durationMs: number },
): Promise<ApiRow[]> {
  if (target.httpPort === undefined) {
    return (['listing', 'fetch'] as const).map((endpoint) => ({ stored, endpoint, result: null, unavailable: 'not available (no http listener)' }));
  }
  const port = target.httpPort;
  const listingPaths = Array.from({ length: API_INBOXES }, (_, i) => `/api/v1/inboxes/${API_PREFIX}${i}/messages`);
  const ids: number[] = [];
  let setupError = '';
  try {
    await untilShown(port, listingPaths.slice(0, 20));
    for (const path of listingPaths.slice(0, 20)) {
      const listing = await getJson<Listing>(port, path);
      for (const message of listing.messages ?? []) if (typeof message.id === 'number') ids.push(message.id);
    }
    if (ids.length === 0) setupError = 'not available (the listing returned no message ids)';
  } catch (error) {
    setupError = `not available (${(error as Error).message})`;
  }
  const base = { host: '127.0.0.1', port, serverPid: target.pid, connections: API_CONNECTIONS, ...timing };
  const listing = await runHttpCell({ ...base, paths: listingPaths });
  const fetchRow: ApiRow = setupError
    ? { stored, endpoint: 'fetch', result: null, unavailable: setupError }
    : { stored, endpoint: 'fetch', result: await runHttpCell({ ...base, paths: ids.map((id) => `/api/v1/messages/${id}`) }) };
  return [{ stored, endpoint: 'listing', result: listing }, fetchRow];
}
