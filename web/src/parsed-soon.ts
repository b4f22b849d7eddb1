/**
 * A live message arrives the moment it is committed, before the store's background parse: its
 * summary has no preview, codes or links yet, and the parse announces no event of its own. So
 * while some row still lacks them, the inbox view asks for the listing again, at growing
 * intervals (about 8 s in all: a message with an empty body never gets a preview, so the asking
 * must end). A new arrival starts the schedule afresh; one timer at most is pending.
 */
const FILL_IN_DELAYS_MS = [150, 300, 600, 1200, 2400, 3600];

export function parsedSoon(reload: () => Promise<void>, waiting: () => boolean): { start(): void; stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  const next = (): void => {
    clearTimeout(timer);
    const delay = FILL_IN_DELAYS_MS[attempt++];
    if (delay === undefined || !waiting()) return;
    timer = setTimeout(() => void reload().then(next), delay);
  };
  return {
    start: () => {
      attempt = 0;
      next();
    },
    stop: () => clearTimeout(timer),
  };
}
