import type { Store } from '../../src/domain/store.js';
import type { CreditCommand, CreditOutcome } from '../../src/domain/transfers.js';

/**
 * The real store with its credit transactions held until `open()`, and one
 * transaction out at a time (as PostgreSQL declares), so that what waits
 * behind the held one is exactly the group-commit queue: queues are filled
 * by holding the store back, never by sleeping.
 */
export function heldStore(inner: Store) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let entered!: () => void;
  const firstEntered = new Promise<void>((resolve) => (entered = resolve));
  const store = Object.create(inner, {
    creditCallsInFlight: { value: 1 },
    applyCredits: {
      value: async (commands: readonly CreditCommand[]): Promise<CreditOutcome[]> => {
        entered();
        await gate;
        return inner.applyCredits(commands);
      },
    },
  }) as Store;
  return { store, open, firstEntered };
}

/** Resolves once `count` of the promises have settled, with those that have. */
export function firstSettled<T>(promises: readonly Promise<T>[], count: number): Promise<T[]> {
  const settled: T[] = [];
  return new Promise((resolve) => {
    for (const promise of promises) {
      void promise.then((value) => {
        settled.push(value);
        if (settled.length === count) resolve([...settled]);
      });
    }
  });
}
