import { performance } from 'node:perf_hooks';
import type { Store } from '../src/domain/store.js';
import { wireApp } from '../src/main.js';

/** Whose history is paged: one subaccount's, or with no subaccount the whole tree's (its main account's). */
export interface HistoryTarget {
  readonly apiKey: string;
  readonly mainAccountId: number;
  readonly subaccount?: { readonly id: number; readonly token: string };
}

export interface PageTiming {
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The store's listing alone, same cursors: what the route adds is the rest. */
  readonly storeP50Ms: number;
  readonly storeP99Ms: number;
}

export const HISTORY_PAGE = 100;
const WARMUP_PAGES = 20;

export function percentiles(timings: number[]): { p50: number; p99: number } {
  timings.sort((a, b) => a - b);
  const at = (q: number) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

/**
 * `requests` pages of 100 through the public history route (app.inject: key
 * check, listing, JSON), each timed, then the same page from the store alone.
 * Pages start at random cursors through the history, so deep pages count as
 * much as the first one; every tenth has no cursor (the newest page).
 */
export async function measureHistoryPages(
  store: Store,
  target: HistoryTarget,
  requests: number,
): Promise<PageTiming> {
  const app = wireApp({ store });
  await app.ready();
  const sub = target.subaccount;
  const base =
    `/v1/subaccount/credit/transfers?apiKey=${target.apiKey}&limit=${HISTORY_PAGE}` +
    (sub === undefined ? '' : `&tokenSubaccount=${sub.token}`);
  // What the route asks the store for (src/http/transfers.ts).
  const filter = sub === undefined ? { mainAccountId: target.mainAccountId } : { subaccountId: sub.id };
  const newestPage = await store.listTransfers({ ...filter, limit: 1 });
  const newest = Number(newestPage.nextCursor ?? '0') + 1;
  const timings: number[] = [];
  const storeTimings: number[] = [];
  for (let index = 0; index < requests + WARMUP_PAGES; index += 1) {
    const position = index % 10 === 0 ? undefined : String(1 + Math.floor(Math.random() * newest));
    const started = performance.now();
    const response = await app.inject({ method: 'GET', url: base + (position ? `&cursor=${position}` : '') });
    const elapsed = performance.now() - started;
    if (response.statusCode !== 200)
      throw new Error(`history answered ${response.statusCode}: ${response.body}`);
    const storeStarted = performance.now();
    await store.listTransfers({ ...filter, limit: HISTORY_PAGE, cursor: position });
    const storeElapsed = performance.now() - storeStarted;
    // The first pages warm the caches and the JIT.
    if (index >= WARMUP_PAGES) {
      timings.push(elapsed);
      storeTimings.push(storeElapsed);
    }
  }
  await app.close();
  const route = percentiles(timings);
  const alone = percentiles(storeTimings);
  return { p50Ms: route.p50, p99Ms: route.p99, storeP50Ms: alone.p50, storeP99Ms: alone.p99 };
}
