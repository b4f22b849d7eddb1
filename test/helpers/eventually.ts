/**
 * For the few things nothing announces (the background indexer filling in a preview or the
 * search text): ask again until the answer is there, up to a deadline. Anything that has an
 * event (a reply, a close, an SSE event, a log line) waits on that instead.
 */
export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
