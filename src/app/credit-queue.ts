import {
  DEFAULT_WRITE_QUEUE_MAX,
  DEFAULT_WRITE_QUEUE_MAX_WAIT_MS,
  OverloadError,
  StoreUnavailableError,
  type Store,
} from '../domain/store.js';
import { MAX_COMMANDS_PER_COMMIT, type CreditCommand, type CreditOutcome } from '../domain/transfers.js';

/** How long the wait must stay past its bound before commands are refused (CoDel's interval). */
const STANDING_QUEUE_MS = 100;

/** Told about each group-commit transaction (for /metrics); must not throw. */
export interface CreditQueueObserver {
  batchCommitted(size: number, durationMs: number): void;
  batchFailed(size: number, durationMs: number): void;
}

interface Pending {
  readonly command: CreditCommand;
  /** The queue's clock when it was queued. */
  readonly queuedMs: number;
  readonly resolve: (outcome: CreditOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Thrown by `submit` when the queue is past its bound (`overloaded`): the
 * HTTP layer answers 503 with Retry-After.
 */
export class CreditQueueFullError extends OverloadError {
  constructor() {
    super('the credit commands waiting for the store are past WRITE_QUEUE_MAX or WRITE_QUEUE_MAX_WAIT_MS');
    this.name = 'CreditQueueFullError';
  }
}

export interface CreditQueueOptions {
  /** Commands per store transaction. */
  readonly maxBatch?: number | undefined;
  /** Commands that may wait for a transaction; the next is refused (CreditQueueFullError). */
  readonly maxPending?: number | undefined;
  /** How long the oldest command may wait for the store; past it the next is refused (CreditQueueFullError). */
  readonly maxWaitMs?: number | undefined;
  /** Milliseconds, `performance.now` by default: tests age the queue with their own. */
  readonly clock?: (() => number) | undefined;
  readonly observer?: CreditQueueObserver | undefined;
}

/**
 * Group commit. With synchronous=FULL every transaction pays an fsync, so
 * commands that arrive together share one `applyCredits` transaction: the
 * first one schedules a flush on the next turn of the event loop, and
 * commands arriving while the flushes allowed are out wait for the next one.
 * Each caller is answered only after its transaction has committed, so an
 * acknowledged transfer is durable; if the store throws, every caller of that
 * batch gets the error (none of them was committed), and when the store is
 * unavailable so do the commands waiting behind it. A store slower than the
 * requests coming in would let the waiting commands grow without end: past
 * `maxPending` commands, or once the oldest has waited `maxWaitMs` without
 * the store taking it, the next are refused, before anything is decided or
 * claimed. The bound in time follows the store's speed, where a count meant
 * 100 ms on one machine and a second on a slower one; and it reads what
 * happened (the oldest command's age, as CoDel does) rather than a forecast,
 * so it lets commands in again as soon as the store takes those waiting. As
 * in CoDel, only a standing queue is refused: the oldest past `maxWaitMs`
 * for longer than STANDING_QUEUE_MS, so that a burst (500 requests at once)
 * is absorbed by group commit, as the queue is there for.
 * The HTTP layer asks `overloaded()` before reading a request's body, so
 * that a refusal costs the event loop little.
 *
 * How many flushes may be out at once is the store's to say
 * (`Store.creditCallsInFlight`, 1 when absent): one on PostgreSQL, where a
 * second would only wait on the hot main account's row lock and make batches
 * smaller; more with the SQLite writer thread, which merges the batches
 * queued to it into its next transaction. The flush runs on setImmediate,
 * after the event loop has read every request that arrived meanwhile
 * (process.nextTick would flush after the first one); a flush that ends with
 * commands pending starts the next at once (`settle`).
 */
export class CreditQueue {
  private pending: Pending[] = [];
  private flushScheduled = false;
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private readonly maxWaitMs: number;
  private readonly clock: () => number;
  /** The last time the oldest command was seen within `maxWaitMs` (or none waited). */
  private shortWaitSeenMs: number;
  private readonly observer: CreditQueueObserver | undefined;

  constructor(
    private readonly store: Store,
    options: CreditQueueOptions = {},
  ) {
    this.maxInFlight = Math.max(1, store.creditCallsInFlight ?? 1);
    this.maxBatch = options.maxBatch ?? MAX_COMMANDS_PER_COMMIT;
    this.maxPending = options.maxPending ?? DEFAULT_WRITE_QUEUE_MAX;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_WRITE_QUEUE_MAX_WAIT_MS;
    this.clock = options.clock ?? (() => performance.now());
    this.shortWaitSeenMs = this.clock();
    this.observer = options.observer;
  }

  /** Whether the next command would be refused. */
  overloaded(): boolean {
    if (this.pending.length >= this.maxPending) return true;
    const now = this.clock();
    const oldest = this.pending[0];
    if (oldest === undefined || now - oldest.queuedMs <= this.maxWaitMs) {
      this.shortWaitSeenMs = now;
      return false;
    }
    return now - this.shortWaitSeenMs > STANDING_QUEUE_MS;
  }

  submit(command: CreditCommand): Promise<CreditOutcome> {
    if (this.overloaded()) return Promise.reject(new CreditQueueFullError());
    return new Promise<CreditOutcome>((resolve, reject) => {
      this.pending.push({ command, queuedMs: this.clock(), resolve, reject });
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
      // Commands that waited for this batch would wait as long again for the next one, on a store that
      // has just proved out of reach (a silent PostgreSQL connection costs its whole timeout): they get
      // the same 503 now, and their clients retry (docs/high-availability.md).
      const waited = error instanceof StoreUnavailableError ? this.pending.splice(0) : [];
      this.settle(() => {
        for (const entry of [...batch, ...waited]) entry.reject(error);
      });
    }
  }

  /**
   * Ends a flush. Commands that arrived meanwhile go to the store at once and
   * this batch's callers are answered on the next turn, so that writing their
   * responses overlaps the next transaction's first round trip instead of
   * delaying it. With nothing pending they are answered right away.
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
