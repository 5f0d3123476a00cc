import { eventJson } from '../../domain/answers/event-data.js';
import type { Store } from '../../domain/store.js';
import { isDelivered, retryAt, type AttemptRecord, type ClaimedDelivery } from '../../domain/webhooks.js';
import { createPoster, DELIVERY_TIMEOUT_MS, type PostOutcome, type Poster } from './post.js';
import { signDelivery } from './signing.js';

/** What became of one attempt: delivered (2xx), failed with a retry to come, or failed for good. */
export type AttemptResult = 'delivered' | 'retrying' | 'failed';

/** Told about the worker's work (for /metrics); must not throw. */
export interface DeliveryObserver {
  /** Events this process handed to the endpoints (each event is handed out once, by one process). */
  eventsHandedOut(count: number): void;
  /** `lagMs`: from the event's commit to its 2xx, for a delivered attempt; null otherwise. */
  attempted(result: AttemptResult, lagMs: number | null): void;
}

/** Where the worker says what went wrong: the app's logger (pino, with its redaction). */
export interface WorkerLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface DeliveryWorkerOptions {
  readonly store: Store;
  /** WEBHOOK_ALLOW_PRIVATE: connections to private addresses are allowed. */
  readonly allowPrivate: boolean;
  /** The waits before each retry (WEBHOOK_RETRY_SCHEDULE or the contract's). */
  readonly retryScheduleMs: readonly number[];
  readonly observer?: DeliveryObserver | undefined;
  readonly log?: WorkerLog | undefined;
  /** How often an idle worker looks for work the nudges did not announce (another process's, a retry come due). */
  readonly pollMs?: number | undefined;
  readonly timeoutMs?: number | undefined;
}

/** A claimed delivery waiting its turn in this process, with the end of its lease. */
interface Held {
  readonly delivery: ClaimedDelivery;
  readonly leaseUntilMs: number;
}

/** One endpoint's deliveries in this process: those waiting, and how many are being posted. */
interface EndpointQueue {
  readonly waiting: Held[];
  active: number;
}

/** A claimed delivery is leased this long: long enough for a whole attempt, short enough that a dead process's work is soon retried. */
const LEASE_MS = 30_000;
/** An attempt starts only while its lease has the timeout plus this much left, so no other process can start it meanwhile. */
const LEASE_MARGIN_MS = 2_000;
/** Attempts at once to one endpoint, in this process. */
const PER_ENDPOINT_CONCURRENCY = 4;
/** Deliveries of one endpoint held in this process; past it the endpoint is `busy` for claims. */
const PER_ENDPOINT_HELD = 32;
/** Deliveries held in this process at most. */
const MAX_HELD = 512;
/** Events handed out per store call: a round under load takes what 100 ms of writes told. */
const FAN_OUT_LIMIT = 5_000;
/** Attempt records written per store transaction. */
const MAX_RECORDS_PER_WRITE = 500;
/** Idle polling: 5 cheap queries a second (an empty outbox, an index range with nothing due). */
const DEFAULT_POLL_MS = 200;
/**
 * Two rounds start at least this far apart, however many nudges come: under
 * load a round's writes (on SQLite, each a write turn beside the group
 * commit's thread) are batched ten a second instead of taken after every write.
 */
const MIN_ROUND_SPACING_MS = 100;
/** Attempts finishing within this time share one write (one fsync on SQLite). */
const RECORD_DELAY_MS = 5;
/** A store that fails is asked again after a growing wait, up to this. */
const MAX_BACKOFF_MS = 5_000;
/** On stop, attempts in flight get this long to end before they are cut (and left to their lease). */
const STOP_GRACE_MS = 2_000;

/**
 * Delivers webhook events (contract section 7) from inside the server
 * process. A round hands the outbox's new events to the endpoints
 * (`fanOutEvents`), then leases due deliveries (`claimDeliveries`) and posts
 * them, signed, at most PER_ENDPOINT_CONCURRENCY at a time per endpoint, so
 * a hanging endpoint holds its own slots and never a healthy one's; an
 * endpoint holding PER_ENDPOINT_HELD deliveries here is left out of the next
 * claims. Finished attempts are recorded in batches. A round starts when the
 * server nudges after a write (a quiet system delivers within milliseconds),
 * else every `pollMs`. Every lease ends by itself: a process killed at any
 * moment leaves only leases, which run out and let another process (or this
 * one restarted) try again, so every committed event is delivered at least once.
 */
export class DeliveryWorker {
  private readonly store: Store;
  private readonly poster: Poster;
  private readonly observer: DeliveryObserver | undefined;
  private readonly log: WorkerLog | undefined;
  private readonly retryScheduleMs: readonly number[];
  private readonly pollMs: number;
  private readonly timeoutMs: number;

  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private timerDueMs = Infinity;
  private round: Promise<void> | null = null;
  private nudgedDuringRound = false;
  private lastRoundMs = -Infinity;
  private failures = 0;
  private lastClaimFull = false;

  private readonly queues = new Map<string, EndpointQueue>();
  private held = 0;
  private readonly attempts = new Set<Promise<void>>();
  /** Set on stop once attempts are cut: what they end with is not recorded (their lease runs out). */
  private cut = false;

  private records: AttemptRecord[] = [];
  private recordTimer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;

  constructor(options: DeliveryWorkerOptions) {
    this.store = options.store;
    this.observer = options.observer;
    this.log = options.log;
    this.retryScheduleMs = options.retryScheduleMs;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
    this.poster = createPoster({ allowPrivate: options.allowPrivate, timeoutMs: this.timeoutMs });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Something was written: a round soon (at once when the last one is MIN_ROUND_SPACING_MS old). */
  nudge(): void {
    if (!this.running) return;
    if (this.round !== null) {
      this.nudgedDuringRound = true;
      return;
    }
    this.schedule(Math.max(0, this.lastRoundMs + MIN_ROUND_SPACING_MS - performance.now()));
  }

  /**
   * Stops taking work, lets attempts in flight end (STOP_GRACE_MS at most,
   * then cuts them, unrecorded), and writes every record of the attempts that
   * ended: none is left half-written, since each write is one transaction.
   * Resolves before the store may close.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.clearTimer();
    await this.round;
    for (const queue of this.queues.values()) {
      this.held -= queue.waiting.length;
      queue.waiting.length = 0;
    }
    const ending = Promise.all(this.attempts);
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, STOP_GRACE_MS)));
    await Promise.race([ending, grace]);
    clearTimeout(graceTimer);
    this.cut = true;
    this.poster.destroy();
    await ending;
    if (this.recordTimer !== null) clearTimeout(this.recordTimer);
    this.recordTimer = null;
    await this.writing;
    // A write that fails now empties the list (writeRecords): those attempts are left to their leases.
    while (this.records.length > 0) await this.writeRecords();
  }

  private schedule(delayMs: number): void {
    const dueMs = performance.now() + delayMs;
    if (this.timer !== null && this.timerDueMs <= dueMs) return;
    this.clearTimer();
    this.timerDueMs = dueMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDueMs = Infinity;
      this.round = this.runRound().finally(() => this.afterRound());
    }, delayMs);
    // The worker never keeps a process alive on its own (the CLI, a test that forgot to stop it).
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerDueMs = Infinity;
  }

  private afterRound(): void {
    this.round = null;
    if (!this.running) return;
    const backoffMs = Math.min(MAX_BACKOFF_MS, this.pollMs * 2 ** this.failures);
    const nudged = this.nudgedDuringRound;
    this.nudgedDuringRound = false;
    this.schedule(nudged && this.failures === 0 ? MIN_ROUND_SPACING_MS : backoffMs);
  }

  private async runRound(): Promise<void> {
    this.lastRoundMs = performance.now();
    try {
      await this.fanOut();
      await this.claim();
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      this.log?.warn({ err: error }, 'webhook delivery round failed');
    }
  }

  private async fanOut(): Promise<void> {
    for (;;) {
      const count = await this.store.fanOutEvents(new Date(), FAN_OUT_LIMIT);
      if (count > 0) this.observer?.eventsHandedOut(count);
      if (count < FAN_OUT_LIMIT || !this.running) return;
    }
  }

  /**
   * Claims in pages of at most PER_ENDPOINT_HELD, so one claim cannot fill
   * this process with a single endpoint's deliveries; endpoints holding that
   * many already are left out (`busyEndpoints`).
   */
  private async claim(): Promise<void> {
    this.lastClaimFull = false;
    while (this.running) {
      const limit = Math.min(MAX_HELD - this.held, PER_ENDPOINT_HELD);
      if (limit <= 0) return;
      const busy = [...this.queues]
        .filter(([, queue]) => queue.waiting.length + queue.active >= PER_ENDPOINT_HELD)
        .map(([id]) => id);
      const claimedAt = Date.now();
      const claimed = await this.store.claimDeliveries(new Date(claimedAt), limit, LEASE_MS, busy);
      for (const delivery of claimed) this.hold({ delivery, leaseUntilMs: claimedAt + LEASE_MS });
      this.lastClaimFull = claimed.length === limit;
      if (!this.lastClaimFull) return;
    }
  }

  private hold(held: Held): void {
    const id = held.delivery.endpoint.id;
    let queue = this.queues.get(id);
    if (queue === undefined) {
      queue = { waiting: [], active: 0 };
      this.queues.set(id, queue);
    }
    queue.waiting.push(held);
    this.held += 1;
    this.pump(id, queue);
  }

  /** Starts the endpoint's waiting deliveries while it has free slots and their leases have time left. */
  private pump(endpointId: string, queue: EndpointQueue): void {
    while (this.running && queue.active < PER_ENDPOINT_CONCURRENCY && queue.waiting.length > 0) {
      const next = queue.waiting.shift()!;
      if (next.leaseUntilMs - Date.now() < this.timeoutMs + LEASE_MARGIN_MS) {
        // Too late to finish inside the lease: left to run out, then claimed again.
        this.held -= 1;
        continue;
      }
      queue.active += 1;
      const attempt = this.attempt(next.delivery).finally(() => {
        this.attempts.delete(attempt);
        queue.active -= 1;
        this.held -= 1;
        this.pump(endpointId, queue);
        if (queue.active === 0 && queue.waiting.length === 0) this.queues.delete(endpointId);
        // The last claim was full: more is waiting in the store, and there is room for it now.
        if (this.lastClaimFull) this.nudge();
      });
      this.attempts.add(attempt);
    }
  }

  /** Never rejects: a fault is logged and the delivery left to its lease. */
  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    try {
      await this.post(delivery);
    } catch (error) {
      this.log?.warn({ err: error, endpointId: delivery.endpoint.id }, 'webhook attempt failed to run');
    }
  }

  private async post(delivery: ClaimedDelivery): Promise<void> {
    const body = eventJson(delivery.event);
    const at = new Date();
    const headers = signDelivery(delivery.endpoint, delivery.event.id, body, at);
    const outcome = await this.poster.post(delivery.endpoint.url, body, headers);
    if (this.cut && outcome.status === null) return;
    const record = this.recordOf(delivery, at, outcome);
    this.records.push(record);
    const lagMs = record.succeeded ? Date.now() - delivery.event.createdAt.getTime() : null;
    this.observer?.attempted(
      record.succeeded ? 'delivered' : record.retryAt === null ? 'failed' : 'retrying',
      lagMs,
    );
    this.scheduleWrite();
  }

  private recordOf(delivery: ClaimedDelivery, at: Date, outcome: PostOutcome): AttemptRecord {
    const attempt = delivery.attempts + 1;
    const succeeded = isDelivered(outcome.status);
    const redirect = outcome.status !== null && outcome.status >= 300 && outcome.status < 400;
    return {
      deliveryId: delivery.id,
      endpointId: delivery.endpoint.id,
      attempt: {
        eventId: delivery.event.id,
        attempt,
        status: outcome.status,
        error: redirect ? 'redirect not followed' : outcome.error,
        durationMs: outcome.durationMs,
        at,
      },
      retryAt: succeeded ? null : retryAt(this.retryScheduleMs, attempt, new Date(), Math.random()),
      succeeded,
    };
  }

  private scheduleWrite(): void {
    if (this.recordTimer !== null || this.writing !== null || !this.running) return;
    this.recordTimer = setTimeout(() => {
      this.recordTimer = null;
      this.writing = this.writeRecords().finally(() => {
        this.writing = null;
        if (this.records.length > 0) this.scheduleWrite();
      });
    }, RECORD_DELAY_MS);
  }

  /** One transaction for the records waiting; a failed write keeps them for the next try. */
  private async writeRecords(): Promise<void> {
    const batch = this.records.splice(0, MAX_RECORDS_PER_WRITE);
    if (batch.length === 0) return;
    try {
      await this.store.recordAttempts(batch);
    } catch (error) {
      this.records.unshift(...batch);
      this.log?.warn({ err: error, records: batch.length }, 'webhook attempts not recorded yet');
      await new Promise((resolve) => setTimeout(resolve, this.running ? MAX_BACKOFF_MS / 5 : 0));
      if (!this.running) this.records = [];
    }
  }
}
