import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Store } from '../../src/domain/store.js';
import { openStore } from '../../src/store/open-store.js';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { jsonOf, tirelire } from '../helpers/cli-harness.js';
import { seedMain, seedSub } from '../helpers/http-fixture.js';
import type { SeededMain, SeededSub } from '../helpers/http-fixture.js';
import { freshSchema, POSTGRES_URL } from '../helpers/postgres-factory.js';
import { startServerProcess } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/**
 * The real server process reaches PostgreSQL through a TCP relay; cutting the
 * relay mid-load plays "the database went away" without touching the shared
 * PostgreSQL. Seen from outside: fast JSON 503s, /readyz not ready, recovery
 * without a restart, and a ledger that verify accepts with every acknowledged
 * transfer in it.
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

/** How long any answer may take while the database is away: "quickly", bounded. */
const FAST_MS = 3_000;
/** Failure guards for waiting on the load, never synchronisation by themselves. */
const DEADLINE_MS = 20_000;
const WORKERS = 8;
const MAX_REQUESTS_PER_WORKER = 5_000;
const OPENING_EUR = 1_000_000;

type Phase = 'before' | 'down' | 'back';

interface Answer {
  /** Phase when the request was sent; 'before' answers may land after the cut. */
  readonly sentIn: Phase;
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Record<string, unknown>;
  readonly elapsedMs: number;
}

function viaPortAndSchema(url: string, port: number | null, schema: string): string {
  const parsed = new URL(url);
  if (port !== null) {
    parsed.hostname = '127.0.0.1';
    parsed.port = String(port);
  }
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

/** The load and what it saw, with a way to wait until the answers satisfy a condition. */
class Load {
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

describe.skipIf(!reachable)('the HTTP server when PostgreSQL goes away mid-load', () => {
  const target = new URL(POSTGRES_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  const schema = freshSchema();
  const directUrl = viaPortAndSchema(POSTGRES_URL, null, schema);
  let store: Store;
  let server: ServerProcess | null = null;
  let main: SeededMain;
  let sub: SeededSub;
  let load: Load | null = null;

  beforeAll(async () => {
    store = await openStore({ databaseUrl: directUrl });
    main = await seedMain(store, 'outage@example.com', String(OPENING_EUR));
    sub = await seedSub(store, main, 'outage-sub@example.com', null);
    const port = await proxy.start();
    server = await startServerProcess({
      databaseUrl: viaPortAndSchema(POSTGRES_URL, port, schema),
      env: { PGPOOL_MAX: '4' },
    });
  });

  afterAll(async () => {
    // After a failed assertion the load may still be running: let it wind down first.
    await load?.stop().catch(() => undefined);
    await server?.crash();
    await proxy.stop();
    await store?.close();
    if (reachable) await dropPostgresSchema(POSTGRES_URL, schema);
  });

  test('fast JSON 503s while cut, /readyz not ready, recovery by itself, nothing lost or half-applied', async () => {
    const base = server!.url;
    const running = new Load(() =>
      fetch(`${base}/v1/subaccount/credit/add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiKey: main.apiKey, credit: 1, tokenSubaccount: sub.token }),
      }),
    );
    load = running;
    running.start();
    const acked = () => running.count((answer) => answer.status === 200);
    await running.until('50 acknowledged adds', () => acked() >= 50);

    await proxy.stop();
    running.phase = 'down';
    const downAnswers = () => running.count((answer) => answer.sentIn === 'down');
    await running.until('40 answers while cut', () => downAnswers() >= 40);

    const readyStarted = performance.now();
    const ready = await fetch(`${base}/readyz`);
    expect(performance.now() - readyStarted).toBeLessThan(FAST_MS);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ success: false, code: 503, message: expect.any(String) });
    const me = await fetch(`${base}/v1/me`, { headers: { 'x-api-key': main.apiKey } });
    expect(me.status).toBe(503);
    expect(((await me.json()) as { code: number }).code).toBe(503);

    await proxy.start();
    running.phase = 'back';
    await pollReady(base);
    const ackedAfterRecovery = () =>
      running.count((answer) => answer.sentIn === 'back' && answer.status === 200);
    await running.until('10 acknowledged adds sent after recovery', () => ackedAfterRecovery() >= 10);
    await running.stop();

    // Every answer is JSON; while cut, every answer is the documented 503, and fast.
    for (const answer of running.answers) {
      expect(answer.contentType).toMatch(/^application\/json/);
      expect([200, 503]).toContain(answer.status);
      if (answer.status === 503) {
        expect(answer.body).toEqual({ success: false, code: 503, message: expect.any(String) });
      }
    }
    const sentWhileDown = running.answers.filter((answer) => answer.sentIn === 'down');
    expect(sentWhileDown.length).toBeGreaterThanOrEqual(40);
    for (const answer of sentWhileDown) {
      // Some may have been sent in the instant the relay was already back; none may hang.
      expect(answer.elapsedMs).toBeLessThan(FAST_MS);
    }
    expect(sentWhileDown.filter((answer) => answer.status === 503).length).toBeGreaterThanOrEqual(30);
    expect(server!.child.exitCode).toBeNull();

    await expectLedgerHolds(running.answers);
  });

  /** Every acknowledged transfer is there; the only extras are requests whose answer was a 503. */
  async function expectLedgerHolds(answers: readonly Answer[]): Promise<void> {
    const ackedIds = new Set(
      answers.filter((answer) => answer.status === 200).map((answer) => String(answer.body['transferId'])),
    );
    const unknownOutcomes = answers.filter((answer) => answer.status === 503).length;
    const subaccount = await store.findSubaccountByToken(sub.token);
    const stored = await transferIdsOf(subaccount!.id);
    for (const id of ackedIds) expect(stored.has(id), `acknowledged transfer ${id} is missing`).toBe(true);
    expect(stored.size - ackedIds.size).toBeGreaterThanOrEqual(0);
    expect(stored.size - ackedIds.size).toBeLessThanOrEqual(unknownOutcomes);

    // The sum check: each stored add moved exactly 1 EUR, and nothing else moved.
    expect(subaccount!.balanceMicros).toBe(BigInt(stored.size) * 1_000_000n);
    const owner = await store.getAccount(main.accountId);
    expect(owner!.balanceMicros).toBe(BigInt(OPENING_EUR - stored.size) * 1_000_000n);

    const verify = tirelire(['verify', '--json', '--db', directUrl]);
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
    expect(jsonOf(verify)).toMatchObject({ ok: true, problems: [], transfers: stored.size + 1 });
  }

  async function transferIdsOf(subaccountId: number): Promise<Set<string>> {
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
});

/** Polls /readyz until it answers 200, within a bounded deadline. */
async function pollReady(base: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  let last = 0;
  for (let attempt = 0; attempt < 10_000 && Date.now() < deadline; attempt += 1) {
    const started = performance.now();
    const response = await fetch(`${base}/readyz`);
    last = response.status;
    expect(performance.now() - started).toBeLessThan(FAST_MS);
    if (response.status === 200) return;
    await response.arrayBuffer();
  }
  throw new Error(`/readyz still answers ${last} after ${DEADLINE_MS} ms`);
}
