import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Store } from '../../src/domain/store.js';
import { openStore } from '../../src/store/open-store.js';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { runHoldStream, type StreamOp } from '../helpers/hold-stream.js';
import { seedMain, seedSub, type SeededMain } from '../helpers/http-fixture.js';
import { freshSchema, POSTGRES_URL, withSchema } from '../helpers/postgres-factory.js';
import { postJson, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

/**
 * Rules and holds seen from outside, on real server processes: a spending cap
 * and holds raced across three processes on one PostgreSQL, and a stream of
 * holds and captures through a kill -9 (one process on SQLite, one of three on
 * PostgreSQL), retried under their Idempotency-Keys.
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

const TOKEN = 'processes-operator-token-0123456789';
const ENV = { TIRELIRE_ADMIN_TOKEN: TOKEN, PGPOOL_MAX: '5' };

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function start(databaseUrl: string): Promise<ServerProcess> {
  const server = await startServerProcess({ databaseUrl, env: ENV });
  cleanups.push(() => (server.child.exitCode === null ? server.crash() : Promise.resolve()));
  return server;
}

function admin(url: string, path: string, body: unknown) {
  return fetch(`${url}/admin/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (response) => ((await response.json()) as { code: number }).code);
}

const count = (codes: number[], code: number) => codes.filter((each) => each === code).length;

/**
 * After the stream: each hold captured once, its charge there once, money
 * conserved to the micro-euro, verify clean.
 */
async function expectStreamSettled(store: Store, main: SeededMain, ops: StreamOp[], before: bigint) {
  const holds = await store.listHolds({ mainAccountId: main.accountId, limit: 1000 });
  expect(holds.items).toHaveLength(ops.length);
  expect(holds.items.every((hold) => hold.status === 'captured')).toBe(true);
  const byId = new Map(holds.items.map((hold) => [hold.id, hold]));
  for (const op of ops) expect(byId.get(op.holdId)?.capturedMicros).toBe(op.capturedMicros);
  const charges = await store.listTransfers({ mainAccountId: main.accountId, kind: 'charge', limit: 1000 });
  const reasons = charges.items.map((transfer) => transfer.reason).sort();
  expect(reasons).toEqual(ops.map((op) => op.reason).sort());
  const charged = ops.reduce((total, op) => total + op.capturedMicros, 0n);
  const tree = await store.listSubaccounts(main.accountId, 1, 20);
  const mainNow = (await store.getAccount(main.accountId))!.balanceMicros;
  expect(mainNow + tree.items[0]!.balanceMicros).toBe(before - charged);
  const report = await store.verify();
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
}

describe('a stream of holds and captures through kill -9: sqlite', () => {
  test('one process killed and restarted mid-stream: no hold captured twice, verify clean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tirelire-holds-crash-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const databaseUrl = join(dir, 'tirelire.db');
    const store = await openStore({ databaseUrl });
    cleanups.push(() => store.close());
    const main = await seedMain(store, 'stream@example.com', '1000');
    const sub = await seedSub(store, main, 'stream-sub@example.com', '400');
    let servers = [await start(databaseUrl)];
    const { ops, retried } = await runHoldStream(
      { urls: () => servers.map((server) => server.url) },
      {
        token: TOKEN,
        mainAccountId: main.accountId,
        tokenSubaccount: sub.token,
        workers: 8,
        holdsPerWorker: 8,
        onProgress: {
          after: 16,
          async run() {
            const victim = servers[0]!;
            servers = [];
            await victim.crash();
            servers = [await start(databaseUrl)];
          },
        },
      },
    );
    expect(ops).toHaveLength(64);
    // The kill did land on requests: some were sent again under their keys.
    expect(retried).toBeGreaterThan(0);
    await expectStreamSettled(store, main, ops, 1000_000_000n);
  });
});

describe.skipIf(!reachable)('rules and holds on three server processes: postgres', () => {
  const PROCESSES = 3;
  const schema = freshSchema();
  const databaseUrl = withSchema(POSTGRES_URL, schema);
  let servers: ServerProcess[] = [];
  let store: Store;

  beforeAll(async () => {
    cleanups.push(() => dropPostgresSchema(POSTGRES_URL, schema));
    servers = await Promise.all(Array.from({ length: PROCESSES }, () => start(databaseUrl)));
    store = await openStore({ databaseUrl });
    cleanups.push(() => store.close());
  });

  test('256 concurrent charges of 1 across the processes under a cap of 100: exactly 100', async () => {
    const main = await seedMain(store, 'cap@example.com', '1000');
    const sub = await seedSub(store, main, 'cap-sub@example.com', '300');
    const set = await postJson(`${servers[0]!.url}/v1/subaccount/rules`, {
      apiKey: main.apiKey,
      tokenSubaccount: sub.token,
      spendingCap: { amount: '100', period: 'month' },
    });
    expect(set.body['code']).toBe(200);
    const codes = await Promise.all(
      Array.from({ length: 256 }, (_, index) =>
        admin(servers[index % PROCESSES]!.url, `/accounts/${main.accountId}/charge`, {
          credit: '1',
          tokenSubaccount: sub.token,
        }),
      ),
    );
    expect([count(codes, 200), count(codes, 32)]).toEqual([100, 156]);
    expect((await store.findSubaccountByToken(sub.token))!.balanceMicros).toBe(200_000_000n);
    expect((await store.verify()).ok).toBe(true);
  });

  test('concurrent charges across the processes under an automatic top-up: never below `below`', async () => {
    const main = await seedMain(store, 'topup@example.com', '1000');
    const sub = await seedSub(store, main, 'topup-sub@example.com', '5');
    await postJson(`${servers[1]!.url}/v1/subaccount/rules`, {
      apiKey: main.apiKey,
      tokenSubaccount: sub.token,
      autoTopup: { below: '5', add: '2.5' },
    });
    const answers = await Promise.all(
      Array.from({ length: 90 }, (_, index) =>
        fetch(`${servers[index % PROCESSES]!.url}/admin/v1/accounts/${main.accountId}/charge`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ credit: '0.7', tokenSubaccount: sub.token }),
        }).then(
          (response) =>
            response.json() as Promise<{ code: number; transfer: { subaccountBalanceAfter: string } }>,
        ),
      ),
    );
    expect(answers.every((answer) => answer.code === 200)).toBe(true);
    expect(
      Math.min(...answers.map((answer) => Number(answer.transfer.subaccountBalanceAfter))),
    ).toBeGreaterThanOrEqual(5);
    const report = await store.verify();
    expect([report.ok, report.fundedMicros]).toEqual([true, report.customerBalanceMicros]);
  });

  test('256 concurrent holds of 9 on 10 across the processes: exactly one', async () => {
    const main = await seedMain(store, 'holds@example.com', '10');
    const codes = await Promise.all(
      Array.from({ length: 256 }, (_, index) =>
        admin(servers[index % PROCESSES]!.url, `/accounts/${main.accountId}/holds`, { credit: '9' }),
      ),
    );
    expect([count(codes, 200), count(codes, 8)]).toEqual([1, 255]);
    expect((await store.getAccount(main.accountId))!.heldMicros).toBe(9_000_000n);
  });

  test('a stream of holds and captures while one process is killed and replaced: each captured once', async () => {
    const main = await seedMain(store, 'stream@example.com', '1000');
    const sub = await seedSub(store, main, 'stream-sub@example.com', '400');
    const { ops, retried } = await runHoldStream(
      { urls: () => servers.map((server) => server.url) },
      {
        token: TOKEN,
        mainAccountId: main.accountId,
        tokenSubaccount: sub.token,
        workers: 9,
        holdsPerWorker: 8,
        onProgress: {
          after: 18,
          async run() {
            const [victim, ...rest] = servers;
            servers = rest;
            await victim!.crash();
            servers = [...servers, await start(databaseUrl)];
          },
        },
      },
    );
    expect(ops).toHaveLength(72);
    expect(retried).toBeGreaterThan(0);
    await expectStreamSettled(store, main, ops, 1000_000_000n);
  });
});
