/**
 * `discard-after`: a shorter retention for the mail a rule picked. A pass deletes, through the
 * Store (so IMAP, the UI and webhooks hear of it as of any deletion), every message whose
 * deadline has passed, then sleeps until the next deadline, at most MAX_SLEEP_MS (a new
 * deadline recorded meanwhile is never later than that by more than it asks).
 */
import type { Clock, Timer } from '../clock.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import type { RuleMarks } from './marks.js';

const BATCH = 500;
const MAX_SLEEP_MS = 5_000;

export class ExpirySweeper {
  private timer: Timer | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private busy = false;

  constructor(
    private readonly marks: RuleMarks,
    private readonly store: Pick<Store, 'delete'>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = this.clock.after(0, () => this.pass());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  /** One pass now (tests drive it with a manual clock); resolves when it is done. Passes never overlap. */
  pass(): Promise<void> {
    if (this.busy) return this.running;
    this.busy = true;
    this.running = (async () => {
      let again = false;
      try {
        const due = this.marks.dueForDeletion(this.clock.now(), BATCH);
        if (due.length > 0) {
          await this.store.delete(due);
          await this.marks.forgetExpiry(due);
          again = due.length === BATCH;
        }
      } catch (error) {
        if (!this.stopped) this.log.error({ err: String(error) }, 'rules: discard-after pass failed');
      }
      this.busy = false;
      if (this.stopped) return;
      const next = this.marks.nextDeletionMs();
      const sleepMs = again ? 0 : next === null ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(0, next - this.clock.now()));
      this.timer?.cancel();
      this.timer = this.clock.after(sleepMs, () => void this.pass());
    })();
    return this.running;
  }
}
