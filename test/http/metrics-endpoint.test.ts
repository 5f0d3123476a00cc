import { afterEach, describe, expect, test } from 'vitest';
import { StoreUnavailableError, type Store } from '../../src/domain/store.js';
import { wireApp } from '../../src/main.js';
import { openTempStore, seedMain, seedSub, type StoreFixture } from '../helpers/http-fixture.js';

/** Reads one sample's value from the Prometheus text, or undefined when the series does not exist. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let fixture: StoreFixture | undefined;
afterEach(async () => {
  await fixture?.remove();
  fixture = undefined;
});

async function appOver(wrap: (store: Store) => Store = (store) => store) {
  fixture = await openTempStore();
  const app = wireApp({ store: wrap(fixture.store) });
  await app.ready();
  const main = await seedMain(fixture.store, 'metrics@example.com', '3');
  const sub = await seedSub(fixture.store, main, 'metrics-sub@example.com', null);
  const add = (credit: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add',
      payload: { apiKey: main.apiKey, tokenSubaccount: sub.token, credit },
    });
  const scrape = async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    return response.body;
  };
  return { app, add, scrape, main, sub };
}

describe('GET /metrics', () => {
  test('XML answers are counted by their code too (the count reads the JSON before it becomes XML)', async () => {
    const { app, scrape } = await appOver();
    const answer = await app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add?_format=xml',
      payload: { credit: '1' },
    });
    expect(answer.headers['content-type']).toBe('application/xml; charset=utf-8');
    const text = await scrape();
    expect(sample(text, 'tirelire_transfer_requests_total{route="/v1/subaccount/credit/add",code="1"}')).toBe(
      1,
    );
  });

  test('counts a batch by its answer code, written as bytes (an atomic failure: the first refusal code)', async () => {
    const { app, scrape, main, sub } = await appOver();
    const batch = (operations: object[], atomic: boolean) =>
      app.inject({
        method: 'POST',
        url: '/v1/subaccount/credit/batch',
        payload: { apiKey: main.apiKey, atomic, operations },
      });
    const good = { direction: 'add', tokenSubaccount: sub.token, credit: '0.5' };
    const broke = { ...good, credit: '500' };
    expect((await batch([good, good], false)).json<{ code: number }>().code).toBe(200);
    expect((await batch([good, broke], true)).json<{ code: number }>().code).toBe(8);
    const text = await scrape();
    const route = 'route="/v1/subaccount/credit/batch"';
    expect(sample(text, `tirelire_transfer_requests_total{${route},code="200"}`)).toBe(1);
    expect(sample(text, `tirelire_transfer_requests_total{${route},code="8"}`)).toBe(1);
    expect(sample(text, `tirelire_transfer_requests_total{${route},code="other"}`)).toBeUndefined();
  });

  test('counts transfers by route and outcome code, and times requests by route template', async () => {
    const { app, add, scrape } = await appOver();
    const answers = await Promise.all([add('1'), add('1'), add('0.5'), add('5'), add('abc')]);
    expect(answers.map((answer) => answer.json<{ code: number }>().code).sort()).toEqual([
      20, 200, 200, 200, 8,
    ]);
    await app.inject({ method: 'GET', url: '/no/such/route/123456' });
    const text = await scrape();
    const route = 'route="/v1/subaccount/credit/add"';
    expect(sample(text, `tirelire_transfer_requests_total{${route},code="200"}`)).toBe(3);
    expect(sample(text, `tirelire_transfer_requests_total{${route},code="8"}`)).toBe(1);
    expect(sample(text, `tirelire_transfer_requests_total{${route},code="20"}`)).toBe(1);
    expect(
      sample(text, `tirelire_http_request_duration_seconds_count{${route},method="POST",status="200"}`),
    ).toBe(3);
    expect(
      sample(text, `tirelire_http_request_duration_seconds_count{${route},method="POST",status="422"}`),
    ).toBe(1);
    // An unknown URL is one bounded label, not a series per URL.
    expect(
      sample(
        text,
        'tirelire_http_request_duration_seconds_count{route="unmatched",method="GET",status="404"}',
      ),
    ).toBe(1);
    expect(text).not.toContain('123456');
    // Group commit: all five commands (the store decides 20 and 8 in its transaction) went through batches.
    expect(sample(text, 'tirelire_credit_batch_size_sum')).toBe(5);
    expect(sample(text, 'tirelire_credit_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tirelire_credit_batch_size_count')).toBeLessThanOrEqual(5);
    expect(text).toContain('tirelire_process_cpu_user_seconds_total');
    // No secret ever appears: not a key, not an email.
    expect(text).not.toMatch(/metrics@example\.com|tl_/);
  });

  test('store failures: a group commit that throws is counted, and the 503 too', async () => {
    const { add, scrape } = await appOver(
      (store) =>
        new Proxy(store, {
          get(target, property, receiver) {
            if (property === 'applyCredits') {
              return async () => {
                throw new StoreUnavailableError('database gone');
              };
            }
            return Reflect.get(target, property, receiver) as unknown;
          },
        }),
    );
    const answer = await add('1');
    expect(answer.statusCode).toBe(503);
    const text = await scrape();
    expect(sample(text, 'tirelire_store_errors_total{kind="unavailable"}')).toBe(1);
    expect(sample(text, 'tirelire_credit_batch_failures_total')).toBe(1);
    expect(
      sample(text, 'tirelire_transfer_requests_total{route="/v1/subaccount/credit/add",code="503"}'),
    ).toBe(1);
  });

  test('pool use comes from the store when it has a pool, and is absent otherwise', async () => {
    const plain = await appOver();
    expect(await plain.scrape()).not.toContain('tirelire_store_pool_connections{');
    await fixture!.remove();
    const pooled = await appOver((store) =>
      Object.assign(Object.create(store) as Store, { poolStats: () => ({ total: 5, idle: 2, waiting: 7 }) }),
    );
    const text = await pooled.scrape();
    expect(sample(text, 'tirelire_store_pool_connections{state="total"}')).toBe(5);
    expect(sample(text, 'tirelire_store_pool_connections{state="idle"}')).toBe(2);
    expect(sample(text, 'tirelire_store_pool_connections{state="waiting"}')).toBe(7);
  });

  test('process metrics count from the start: CPU since the process began, no empty event-loop sentinel', async () => {
    const { scrape } = await appOver();
    const used = process.cpuUsage();
    const first = await scrape();
    // The process's whole CPU time (within the float sums' rounding), not the time since metrics started.
    expect(sample(first, 'tirelire_process_cpu_seconds_total')).toBeGreaterThanOrEqual(
      (used.user + used.system) / 1e6 - 0.001,
    );
    // Scrapes closer than the 10 ms sampling find no sample: the statistics are left out, never 9.2e9 s.
    for (const text of [first, await scrape(), await scrape()]) {
      const minimum = sample(text, 'tirelire_nodejs_eventloop_lag_min_seconds');
      if (minimum !== undefined) expect(minimum).toBeLessThan(1);
      expect(text).not.toMatch(/^tirelire_nodejs_eventloop_lag_mean_seconds Nan$/m);
    }
  });

  test('ledger figures: accounts, exact balances and EUR moved by kind, accounts below threshold', async () => {
    const { add, scrape, main } = await appOver();
    expect((await add('0.000001')).statusCode).toBe(200);
    expect((await add('1.25')).statusCode).toBe(200);
    const text = await scrape();
    const line = (series: string) => text.split('\n').find((found) => found.startsWith(`${series} `));
    expect(line('tirelire_ledger_accounts{kind="funding"}')).toBe(
      'tirelire_ledger_accounts{kind="funding"} 1',
    );
    expect(line('tirelire_ledger_accounts{kind="main"}')).toBe('tirelire_ledger_accounts{kind="main"} 1');
    expect(line('tirelire_ledger_accounts{kind="sub"}')).toBe('tirelire_ledger_accounts{kind="sub"} 1');
    // Exact decimal text: 3 − 1.250001 = 1.749999, never a float's 1.7499990000000001.
    expect(line('tirelire_ledger_balance_eur{kind="main"}')).toBe(
      'tirelire_ledger_balance_eur{kind="main"} 1.749999',
    );
    expect(line('tirelire_ledger_balance_eur{kind="sub"}')).toBe(
      'tirelire_ledger_balance_eur{kind="sub"} 1.250001',
    );
    expect(line('tirelire_ledger_balance_eur{kind="funding"}')).toBe(
      'tirelire_ledger_balance_eur{kind="funding"} -3',
    );
    expect(line('tirelire_ledger_moved_eur_total{kind="add"}')).toBe(
      'tirelire_ledger_moved_eur_total{kind="add"} 1.250001',
    );
    expect(line('tirelire_ledger_moved_eur_total{kind="topup"}')).toBe(
      'tirelire_ledger_moved_eur_total{kind="topup"} 3',
    );
    expect(text).toContain('# TYPE tirelire_ledger_moved_eur_total counter');
    expect(sample(text, 'tirelire_ledger_low_balance_accounts')).toBe(0);
    // Every event of the tree as its feed reads them (no endpoint wants them).
    const feed = await fixture!.store.listEvents({ accountId: main.accountId, after: 0, limit: 1000 });
    expect(feed.length).toBeGreaterThanOrEqual(4);
    expect(text).toContain('# TYPE tirelire_ledger_events_total counter');
    expect(sample(text, 'tirelire_ledger_events_total')).toBe(feed.length);
  });

  test('ledger figures are read at most once per period, by scrapes together too', async () => {
    let reads = 0;
    const { add, scrape } = await appOver((store) =>
      Object.assign(Object.create(store) as Store, {
        ledgerStats: () => {
          reads += 1;
          return store.ledgerStats();
        },
      }),
    );
    const together = await Promise.all([scrape(), scrape(), scrape()]);
    expect(reads).toBe(1);
    expect((await add('1')).statusCode).toBe(200);
    const cached = await scrape();
    expect(reads).toBe(1);
    // Within the period the figures are the cached ones: the add is not in them yet.
    expect(sample(cached, 'tirelire_ledger_moved_eur_total{kind="add"}')).toBe(0);
    expect(together.every((text) => text.includes('tirelire_ledger_accounts{kind="main"} 1'))).toBe(true);
  });
});
