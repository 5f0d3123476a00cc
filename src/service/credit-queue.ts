import type { Store } from '../domain/store.js';
import { MAX_CREDIT_BATCH, type CreditCommand, type CreditOutcome } from '../domain/transfers.js';

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
 * commands arriving while the flushes allowed are out wait for the next one.
 * Each caller is answered only after its transaction has committed, so an
 * acknowledged transfer is durable; if the store throws, every caller of that
 * batch gets the error (none of them was committed).
 *
 * How many flushes may be out at once is the store's to say
 * (`Store.creditCallsInFlight`, 1 when absent). One on PostgreSQL: with two,
 * the second waits on the hot main account's row lock anyway, batches get
 * smaller and commits more frequent (`npm run bench`, target d: about 3,800
 * instead of 5,600–6,400 transfers/s; measured again with the next flush
 * started as soon as the previous one sent its COMMIT: about 12 % fewer
 * transfers/s than one at a time). More with the SQLite writer thread, which
 * merges the batches queued to it into its next transaction: the event loop
 * hands a batch over and goes on reading requests instead of waiting. The
 * flush runs on setImmediate, after the event loop has read every request that
 * arrived meanwhile (process.nextTick would flush after the first one); a
 * flush that ends with commands pending starts the next at once (`settle`).
 */
export class CreditQueue {
  private pending: Pending[] = [];
  private flushScheduled = false;
  private inFlight = 0;
  private readonly maxInFlight: number;

  constructor(
    private readonly store: Store,
    private readonly maxBatch = MAX_CREDIT_BATCH,
    private readonly observer?: CreditQueueObserver,
  ) {
    this.maxInFlight = Math.max(1, store.creditCallsInFlight ?? 1);
  }

  submit(command: CreditCommand): Promise<CreditOutcome> {
    return new Promise<CreditOutcome>((resolve, reject) => {
      this.pending.push({ command, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight >= this.maxInFlight) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    // A flush scheduled earlier may find the commands already taken by one `settle` started.
    if (this.pending.length === 0 || this.inFlight >= this.maxInFlight) return;
    this.inFlight += 1;
    const batch = this.pending.splice(0, this.maxBatch);
    const startedMs = performance.now();
    try {
      const outcomes = await this.store.applyCredits(batch.map((entry) => entry.command));
      if (outcomes.length !== batch.length) {
        throw new Error(`applyCredits answered ${outcomes.length} outcomes for ${batch.length} commands`);
      }
      this.observer?.batchCommitted(batch.length, performance.now() - startedMs);
      this.settle(() => batch.forEach((entry, index) => entry.resolve(outcomes[index]!)));
    } catch (error) {
      this.observer?.batchFailed(batch.length, performance.now() - startedMs);
      this.settle(() => {
        for (const entry of batch) entry.reject(error);
      });
    }
  }

  /**
   * Ends a flush. Commands that arrived meanwhile go to the store at once and
   * this batch's callers are answered on the next turn: writing their
   * responses then overlaps the next transaction's first round trip instead
   * of delaying it (PostgreSQL: about 2.5 ms of a 13 ms cycle). With nothing
   * pending they are answered right away.
   */
  private settle(answer: () => void): void {
    this.inFlight -= 1;
    if (this.pending.length === 0) {
      answer();
      return;
    }
    void this.flush();
    setImmediate(answer);
  }
}
