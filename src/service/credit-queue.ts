import type { Store } from '../domain/store.js';
import type { CreditCommand, CreditOutcome } from '../domain/transfers.js';

/** The most commands one transaction carries; more wait for the next flush. */
export const MAX_CREDIT_BATCH = 1000;

/** Told about each group-commit transaction (for /metrics); must not throw. */
export interface CreditQueueObserver {
  batchCommitted(size: number, durationMs: number): void;
  batchFailed(size: number, durationMs: number): void;
}

interface Pending {
  readonly command: CreditCommand;
  readonly resolve: (outcome: CreditOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit. With synchronous=FULL every transaction pays an fsync, so
 * commands that arrive together share one `applyCredits` transaction: the
 * first one schedules a flush on the next turn of the event loop, and
 * commands arriving while a flush is in flight wait for the next one. Each
 * caller is answered only after its transaction has committed, so an
 * acknowledged transfer is durable; if the store throws, every caller of that
 * batch gets the error (none of them was committed).
 *
 * One flush at a time on PostgreSQL too: with two in flight the second waits
 * on the hot main account's row lock anyway, batches get smaller and commits
 * more frequent (`npm run bench`, target d: about 3,800 instead of 5,600–6,400
 * transfers/s). The flush runs on setImmediate, after the event loop has read
 * every request that arrived meanwhile (process.nextTick would flush after the
 * first one).
 */
export class CreditQueue {
  private pending: Pending[] = [];
  private flushScheduled = false;
  private flushing = false;

  constructor(
    private readonly store: Store,
    private readonly maxBatch = MAX_CREDIT_BATCH,
    private readonly observer?: CreditQueueObserver,
  ) {}

  submit(command: CreditCommand): Promise<CreditOutcome> {
    return new Promise<CreditOutcome>((resolve, reject) => {
      this.pending.push({ command, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const batch = this.pending.splice(0, this.maxBatch);
    const startedMs = performance.now();
    try {
      const outcomes = await this.store.applyCredits(batch.map((entry) => entry.command));
      if (outcomes.length !== batch.length) {
        throw new Error(`applyCredits answered ${outcomes.length} outcomes for ${batch.length} commands`);
      }
      this.observer?.batchCommitted(batch.length, performance.now() - startedMs);
      batch.forEach((entry, index) => entry.resolve(outcomes[index]!));
    } catch (error) {
      this.observer?.batchFailed(batch.length, performance.now() - startedMs);
      for (const entry of batch) entry.reject(error);
    } finally {
      this.flushing = false;
      if (this.pending.length > 0) this.scheduleFlush();
    }
  }
}
