/**
 * Which appends have nothing to be grouped with: the store's rule for committing an append on the
 * main thread (inline-writer.ts) instead of handing it to the writer's group commit.
 *
 * The two ways measured (BENCHMARKS.md, fifth round): a lone sender's message committed on the
 * main thread skips two thread hand-offs and is answered ~25 % sooner (1 KiB × 1: p50 0.57 →
 * 0.42 ms); but messages of several senders committed that way are serialised behind one sync
 * apiece on the event loop (4 KiB × 20: ~4,200 → ~1,700 msg/s). So an append goes inline only
 * while the store has seen no sign of company, and the signs are what the store itself sees:
 *
 * - another append is in the writer's hands (queued this turn or posted, not answered yet): its
 *   sender did not wait for this one, and this one could have joined its batch;
 * - another append came in the same event-loop turn: a lone sender's next message needs our
 *   answer to reach it and its reply to come back, which a later turn reads. (A turn ends at the
 *   store's `setImmediate`; this assumes appends are made from I/O callbacks, as the protocol
 *   servers make them. One made from a `setImmediate` callback would share its turn with the
 *   next iteration's I/O, and a lone sender's next message would look like company: only slower.)
 *
 * An inline commit finishes before any other append can arrive, so a run of inline appends
 * cannot show the first sign; every `PROBE_EVERY`-th append of such a run goes to the writer
 * anyway, to look. After a sign, `CLEAN_PROBES` appends in a row must go through the writer and
 * find nobody before appends go inline again. Under 20 sessions an append nearly always finds
 * another in the writer (batches of ~10, each in the writer's hands for its hops and its sync),
 * so such a run practically never starts, and one that does ends at the next turn in which two
 * messages arrive. A lone sender pays the two hand-offs on one message in `PROBE_EVERY`, and on
 * `CLEAN_PROBES` after company leaves. Both numbers are a judgement, not a measurement; either way
 * only latency is at stake, never durability: both paths answer after a synced commit.
 */

/** Appends in a row that must find no company before appends go inline (again). */
export const CLEAN_PROBES = 8;
/** While appends go inline, every this many goes through the writer to look for company. */
export const PROBE_EVERY = 16;

export type AppendRoute = 'inline' | 'writer';

export class LoneSenderRule {
  /** Appends in a row that found no company; a new store starts as if a lone sender had been seen. */
  private clean = CLEAN_PROBES;
  private appendedThisTurn = false;

  /**
   * Where an append arriving now should be committed. `appendsInWriter`: appends handed to the
   * writer and not answered yet. The caller must call `endTurn` at the end of this turn.
   */
  route(appendsInWriter: number): AppendRoute {
    const company = appendsInWriter > 0 || this.appendedThisTurn;
    this.appendedThisTurn = true;
    if (company) {
      this.clean = 0;
      return 'writer';
    }
    this.clean++;
    if (this.clean <= CLEAN_PROBES) return 'writer';
    return (this.clean - CLEAN_PROBES) % PROBE_EVERY === 0 ? 'writer' : 'inline';
  }

  /** The event-loop turn in which `route` was called is over. */
  endTurn(): void {
    this.appendedThisTurn = false;
  }
}
