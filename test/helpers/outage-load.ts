import { expect } from 'vitest';
import type { Store } from '../../src/domain/store.js';
import { jsonOf, tirelire } from './cli-harness.js';
import type { SeededMain, SeededSub } from './http-fixture.js';

/**
 * A load of credit adds against a real server process, and what it saw, for
 * the tests that take PostgreSQL away mid-load (test/blackbox/postgres-*.test.ts).
 */

/** Failure guards for waiting on the load, never synchronisation by themselves. */
const DEADLINE_MS = 20_000;
const WORKERS = 8;
const MAX_REQUESTS_PER_WORKER = 5_000;

/** The tree the load moves money in, and how to reach its database without the relay. */
export interface LoadTree {
  readonly store: Store;
  readonly main: SeededMain;
  readonly sub: SeededSub;
  readonly openingEur: number;
  readonly directUrl: string;
}

export type Phase = 'before' | 'down' | 'back';

export interface Answer {
  /** Phase when the request was sent; 'before' answers may land after the cut. */
  readonly sentIn: Phase;
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Record<string, unknown>;
  readonly elapsedMs: number;
}

export function viaPortAndSchema(url: string, port: number | null, schema: string): string {
  const parsed = new URL(url);
  if (port !== null) {
    parsed.hostname = '127.0.0.1';
    parsed.port = String(port);
  }
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

/** The load and what it saw, with a way to wait until the answers satisfy a condition. */
export class Load {
  phase: Phase = 'before';
  readonly answers: Answer[] = [];
  private stopping = false;
  private readonly waiters: { check: () => boolean; resolve: () => void }[] = [];
  private workers: Promise<void>[] = [];

  constructor(private readonly send: () => Promise<Response>) {}

  start(): void {
    this.workers = Array.from({ length: WORKERS }, () => this.work());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
  }

  count(predicate: (answer: Answer) => boolean): number {
    return this.answers.filter(predicate).length;
  }

  /** Resolves once `check` holds after some answer; rejects after DEADLINE_MS. */
  until(what: string, check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load never reached: ${what}`)), DEADLINE_MS);
      this.waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private async work(): Promise<void> {
    for (let sent = 0; sent < MAX_REQUESTS_PER_WORKER && !this.stopping; sent += 1) {
      const sentIn = this.phase;
      const started = performance.now();
      const response = await this.send();
      const text = await response.text();
      this.record({
        sentIn,
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: JSON.parse(text) as Record<string, unknown>,
        elapsedMs: performance.now() - started,
      });
    }
  }

  private record(answer: Answer): void {
    this.answers.push(answer);
    for (const waiter of this.waiters.splice(0)) {
      if (waiter.check()) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }
}

/** Every acknowledged transfer is there; the only extras are requests whose answer was a 503. */
export async function expectLedgerHolds(answers: readonly Answer[], tree: LoadTree): Promise<void> {
  const { store, sub, main, openingEur, directUrl } = tree;
  const ackedIds = new Set(
    answers.filter((answer) => answer.status === 200).map((answer) => String(answer.body['transferId'])),
  );
  const unknownOutcomes = answers.filter((answer) => answer.status === 503).length;
  const subaccount = await store.findSubaccountByToken(sub.token);
  const stored = await transferIdsOf(store, subaccount!.id);
  for (const id of ackedIds) expect(stored.has(id), `acknowledged transfer ${id} is missing`).toBe(true);
  expect(stored.size - ackedIds.size).toBeGreaterThanOrEqual(0);
  expect(stored.size - ackedIds.size).toBeLessThanOrEqual(unknownOutcomes);

  // The sum check: each stored add moved exactly 1 EUR, and nothing else moved.
  expect(subaccount!.balanceMicros).toBe(BigInt(stored.size) * 1_000_000n);
  const owner = await store.getAccount(main.accountId);
  expect(owner!.balanceMicros).toBe(BigInt(openingEur - stored.size) * 1_000_000n);

  const verify = tirelire(['verify', '--json', '--db', directUrl]);
  expect(verify.stderr).toBe('');
  expect(verify.status).toBe(0);
  expect(jsonOf(verify)).toMatchObject({ ok: true, problems: [], transfers: stored.size + 1 });
}

async function transferIdsOf(store: Store, subaccountId: number): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page += 1) {
    const found = await store.listTransfers({ subaccountId, kind: 'add', limit: 500, cursor });
    for (const transfer of found.items) ids.add(transfer.id);
    if (found.nextCursor === null) return ids;
    cursor = found.nextCursor;
  }
  throw new Error('too many pages of transfers');
}

/** Polls /readyz until it answers 200, within a bounded deadline. */
export async function pollReady(base: string, fastMs: number): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  let last = 0;
  for (let attempt = 0; attempt < 10_000 && Date.now() < deadline; attempt += 1) {
    const started = performance.now();
    const response = await fetch(`${base}/readyz`);
    last = response.status;
    expect(performance.now() - started).toBeLessThan(fastMs);
    if (response.status === 200) return;
    await response.arrayBuffer();
  }
  throw new Error(`/readyz still answers ${last} after ${DEADLINE_MS} ms`);
}
