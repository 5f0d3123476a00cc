import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Store } from '../../src/domain/store.js';
import { hashApiKey } from '../../src/app/keys.js';
import { openStore } from '../../src/store/open-store.js';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { seedMain, seedSub } from '../helpers/http-fixture.js';
import { freshSchema, POSTGRES_URL, withSchema } from '../helpers/postgres-factory.js';
import { postJson, startServerProcess } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';

/**
 * The real server, three processes of it, over real HTTP on one PostgreSQL
 * schema: the scale-out deployment of docs/postgres.md, seen from outside.
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

const PROCESSES = 3;

describe.skipIf(!reachable)('three server processes on one PostgreSQL', () => {
  const schema = freshSchema();
  const databaseUrl = withSchema(POSTGRES_URL, schema);
  const servers: ServerProcess[] = [];
  let store: Store;

  beforeAll(async () => {
    // All three start at once on a schema that does not exist yet: each runs the migrations.
    const started = await Promise.allSettled(
      Array.from({ length: PROCESSES }, () => startServerProcess({ databaseUrl, env: { PGPOOL_MAX: '5' } })),
    );
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    store = await openStore({ databaseUrl });
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.crash()));
    await store?.close();
    if (reachable) await dropPostgresSchema(POSTGRES_URL, schema);
  });

  test('migrations ran once although all three processes started together', async () => {
    expect(servers).toHaveLength(PROCESSES);
    for (const server of servers) {
      const ready = await fetch(`${server.url}/readyz`);
      expect(await ready.json()).toMatchObject({ success: true, status: 'ready', store: 'postgres' });
    }
    expect(await store.verify()).toMatchObject({ ok: true, accounts: 1, transfers: 0 });
  });

  test('500 concurrent adds of 1 across the processes from 300: exactly 300 succeed', async () => {
    const main = await seedMain(store, 'adds@example.com', '300');
    const sub = await seedSub(store, main, 'adds-sub@example.com', null);
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, index) =>
        postJson(`${servers[index % PROCESSES]!.url}/v1/subaccount/credit/add`, {
          apiKey: main.apiKey,
          credit: 1,
          tokenSubaccount: sub.token,
        }),
      ),
    );
    const succeeded = answers.filter((answer) => answer.body['code'] === 200);
    const refused = answers.filter((answer) => answer.body['code'] === 6 || answer.body['code'] === 8);
    expect(succeeded).toHaveLength(300);
    expect(refused).toHaveLength(200);
    expect(refused.every((answer) => answer.status === 422)).toBe(true);
    // Each success saw its own running balance: no lost update, no id handed out twice.
    expect(new Set(succeeded.map((answer) => answer.body['transferId'])).size).toBe(300);
    const mainCredits = succeeded
      .map((answer) => answer.body['credit'])
      .sort((a, b) => Number(a) - Number(b));
    expect(mainCredits).toEqual(Array.from({ length: 300 }, (_, index) => index));

    const caller = await store.authenticate(hashApiKey(main.apiKey));
    expect(caller?.balanceMicros).toBe(0n);
    const list = await listBalances(servers[1]!, main.apiKey);
    expect(list.get(sub.token)).toBe('300.000');
    expect(await store.verify()).toMatchObject({ ok: true, problems: [] });
  });

  test('256 concurrent removes of 9 from 10 across the processes: exactly one succeeds', async () => {
    const main = await seedMain(store, 'removes@example.com', '100');
    const sub = await seedSub(store, main, 'removes-sub@example.com', '10');
    const answers = await Promise.all(
      Array.from({ length: 256 }, (_, index) =>
        postJson(`${servers[index % PROCESSES]!.url}/v1/subaccount/credit/remove`, {
          apiKey: main.apiKey,
          credit: '9',
          tokenSubaccount: sub.token,
        }),
      ),
    );
    const codes = answers.map((answer) => answer.body['code']);
    expect(codes.filter((code) => code === 200)).toHaveLength(1);
    expect(codes.filter((code) => code === 8)).toHaveLength(255);
    expect(answers.find((answer) => answer.status === 200)?.body).toMatchObject({
      credit: 99,
      subaccountCredit: 1,
    });
    expect((await listBalances(servers[2]!, main.apiKey)).get(sub.token)).toBe('1.000');
    expect(await store.verify()).toMatchObject({ ok: true, problems: [] });
  });

  test('a transfer acknowledged by a process survives kill -9 of that process', async () => {
    const main = await seedMain(store, 'crash@example.com', '50');
    const sub = await seedSub(store, main, 'crash-sub@example.com', null);
    const victim = servers[0]!;
    const added = await postJson(`${victim.url}/v1/subaccount/credit/add`, {
      apiKey: main.apiKey,
      credit: '12.345678',
      tokenSubaccount: sub.token,
    });
    expect(added.body).toMatchObject({ success: true, code: 200, subaccountCredit: 12.345678 });
    await victim.crash();

    // The survivors, and a fresh process, all see it: it was committed before the 200 left.
    const replacement = await startServerProcess({ databaseUrl, env: { PGPOOL_MAX: '5' } });
    servers[0] = replacement;
    for (const server of servers) {
      expect((await listBalances(server, main.apiKey)).get(sub.token)).toBe('12.345678');
    }
    const transfer = await store.getTransfer(String(added.body['transferId']));
    expect(transfer).toMatchObject({ kind: 'add', amountMicros: 12_345_678n, subaccountToken: sub.token });
    expect(await store.verify()).toMatchObject({ ok: true, problems: [] });
  });
});

async function listBalances(server: ServerProcess, apiKey: string): Promise<Map<string, string>> {
  const response = await fetch(`${server.url}/v1/subaccount/list?apiKey=${encodeURIComponent(apiKey)}`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: { token: string; credits: { balance: string } }[] };
  return new Map(body.data.map((item) => [item.token, item.credits.balance]));
}
