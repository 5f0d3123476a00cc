import type { Store } from '../domain/store.js';

/**
 * How often pending holds past their expiry are looked for. Their amount is
 * available again without it (every transaction that reads a balance expires
 * what is due first); the sweep only tells `hold.expired` for holds no one
 * touched, so a few seconds late is fine, and an idle look is one indexed query.
 */
export const HOLD_SWEEP_INTERVAL_MS = 5000;

/** Holds expired per transaction: short transactions, requests go on between them. */
export const HOLD_SWEEP_CHUNK = 500;

/**
 * Expires due holds now and then, telling hold.expired. The timer never keeps
 * the process alive; a failed sweep is logged and tried again at the next
 * tick. Stopping waits for a sweep under way, so the store can close after.
 */
export function startHoldExpirySweeper(
  store: Store,
  onError: (error: unknown) => void,
  intervalMs = HOLD_SWEEP_INTERVAL_MS,
): () => Promise<void> {
  let running: Promise<void> | null = null;
  const sweep = () => {
    running ??= expireDueHolds(store, new Date())
      .then(() => undefined, onError)
      .finally(() => (running = null));
  };
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** Every hold due at `now`, `chunk` at a time, each chunk its own transaction. */
export async function expireDueHolds(store: Store, now: Date, chunk = HOLD_SWEEP_CHUNK): Promise<number> {
  let expired = 0;
  for (;;) {
    const went = await store.expireHolds(now, chunk);
    expired += went;
    if (went < chunk) return expired;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
