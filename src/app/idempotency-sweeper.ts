import type { Store } from '../domain/store.js';

/** Hourly is plenty: lookups already ignore expired records, this only reclaims space. */
export const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Records deleted per transaction: small enough that no chunk holds the event loop or the write lock long. */
export const SWEEP_CHUNK = 1000;

/**
 * Deletes idempotency records past their 24 h window, now and then. The timer
 * never keeps the process alive; a failed sweep is logged and tried again at
 * the next tick (the store being down must not crash the server).
 */
export function startIdempotencySweeper(
  store: Store,
  onError: (error: unknown) => void,
  intervalMs = SWEEP_INTERVAL_MS,
): () => void {
  let running = false;
  const sweep = () => {
    if (running) return;
    running = true;
    sweepExpiredIdempotencyKeys(store, new Date())
      .catch(onError)
      .finally(() => (running = false));
  };
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Every expired record, `chunk` at a time, each chunk its own transaction,
 * with a turn of the event loop between two: requests go on meanwhile.
 */
export async function sweepExpiredIdempotencyKeys(
  store: Store,
  now: Date,
  chunk = SWEEP_CHUNK,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const went = await store.deleteExpiredIdempotencyKeys(now, chunk);
    deleted += went;
    if (went < chunk) return deleted;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
