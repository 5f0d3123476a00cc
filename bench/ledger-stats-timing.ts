import { performance } from 'node:perf_hooks';
import type { Store } from '../src/domain/store.js';
import { median } from './load.js';

/** What /metrics' ledger figures cost on one ledger (`Store.ledgerStats`, read as a scrape reads it). */
export interface LedgerStatsTiming {
  /** The first read of a process (on SQLite: every transfer summed once, in steps). */
  readonly firstMs: number;
  /** The longest the event loop went without a turn during that read. */
  readonly firstLongestHoldMs: number;
  /** The reads after it, back to back: their median and their longest event-loop hold. */
  readonly nextMedianMs: number;
  readonly nextLongestHoldMs: number;
}

/**
 * Times `reads` reads of the ledger's figures, the first alone, on `store`
 * opened by this process (no server: the read is what an uncached scrape
 * waits for). A 0 ms interval timer notes the longest gap between turns of
 * the event loop: on SQLite the statements run on it, on PostgreSQL they do
 * not.
 */
export async function measureLedgerStats(store: Store, reads: number): Promise<LedgerStatsTiming> {
  const first = await timed(() => store.ledgerStats());
  const next: { ms: number; holdMs: number }[] = [];
  for (let index = 0; index < reads; index += 1) next.push(await timed(() => store.ledgerStats()));
  return {
    firstMs: first.ms,
    firstLongestHoldMs: first.holdMs,
    nextMedianMs: median(next.map((read) => read.ms)),
    nextLongestHoldMs: Math.max(...next.map((read) => read.holdMs)),
  };
}

async function timed(read: () => Promise<unknown>): Promise<{ ms: number; holdMs: number }> {
  let last = performance.now();
  let holdMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    holdMs = Math.max(holdMs, now - last);
    last = now;
  }, 0);
  const started = performance.now();
  try {
    await read();
  } finally {
    clearInterval(ticker);
  }
  const ended = performance.now();
  return { ms: ended - started, holdMs: Math.max(holdMs, ended - last) };
}
