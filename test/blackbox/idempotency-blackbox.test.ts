import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Store } from '../../src/domain/store.js';
import { openStore } from '../../src/store/open-store.js';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { seedMain, seedSub } from '../helpers/http-fixture.js';
import { freshSchema, POSTGRES_URL } from '../helpers/postgres-factory.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

/**
 * Idempotency seen from outside: real server processes over real HTTP, on
 * both stores. A `kill -9` lands while requests are in flight; their retries
 * under the same keys must each move money exactly once.
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

interface Deployment {
  readonly databaseUrl: string;
  dispose(): Promise<void>;
}

function sqliteDeployment(): Deployment {
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-idem-'));
  return { databaseUrl: join(dir, 'tirelire.db'), dispose: async () => rmSync(dir, { recursive: true }) };
}

function postgresDeployment(): Deployment {
  const schema = freshSchema();
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('schema', schema);
  return { databaseUrl: url.toString(), dispose: () => dropPostgresSchema(POSTGRES_URL, schema) };
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly replayed: boolean;
}

async function add(url: string, apiKey: string, token: string, credit: string, key: string): Promise<Answer> {
  const response = await fetch(`${url}/v1/subaccount/credit/add`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ apiKey, credit, tokenSubaccount: token }),
  });
  const replayed = response.headers.get('idempotent-replayed') === 'true';
  return { status: response.status, body: await response.text(), replayed };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function open(deployment: Deployment): Promise<Store> {
  cleanups.push(() => deployment.dispose());
  const store = await openStore({ databaseUrl: deployment.databaseUrl });
  cleanups.push(() => store.close());
  return store;
}

async function start(deployment: Deployment): Promise<ServerProcess> {
  const server = await startServerProcess({ databaseUrl: deployment.databaseUrl });
  cleanups.push(() => (server.child.exitCode === null ? server.crash() : Promise.resolve()));
  return server;
}

const engines = [
  { name: 'sqlite', run: true, deployment: sqliteDeployment },
  { name: 'postgres', run: reachable, deployment: postgresDeployment },
];

for (const engine of engines) {
  describe.skipIf(!engine.run)(`idempotency over HTTP: ${engine.name}`, () => {
    test('a kill -9 with 40 keyed adds in flight: each retry replays or runs once, never twice', async () => {
      const deployment = engine.deployment();
      const store = await open(deployment);
      const main = await seedMain(store, 'crash@example.com', '1000');
      const sub = await seedSub(store, main, 'crash-sub@example.com', null);
      // Key i adds i cents: the sum shows whether any key moved money twice.
      const keys = Array.from({ length: 40 }, (_, i) => ({
        key: `crash-${i + 1}`,
        credit: `0.${String(i + 1).padStart(2, '0')}`,
      }));
      const server = await start(deployment);
      const inFlight = keys.map(({ key, credit }) =>
        add(server.url, main.apiKey, sub.token, credit, key).catch(() => null),
      );
      // The first answer means the others are somewhere between arrival and commit.
      await Promise.race(inFlight);
      await server.crash();
      const before = await Promise.all(inFlight);
      const restarted = await start(deployment);
      const retries = await Promise.all(
        keys.map(({ key, credit }) => add(restarted.url, main.apiKey, sub.token, credit, key)),
      );
      retries.forEach((retry, index) => {
        expect(retry.status).toBe(200);
        const first = before[index];
        if (first !== null && first !== undefined) expect(retry).toEqual({ ...first, replayed: true });
      });
      const expectedMicros = keys.reduce((sum, _, i) => sum + BigInt(i + 1) * 10_000n, 0n);
      const page = await store.listSubaccounts(main.accountId, 1, 20);
      expect(page.items[0]!.balanceMicros).toBe(expectedMicros);
      const history = await store.listTransfers({ subaccountId: page.items[0]!.id, limit: 1000 });
      expect(history.items.map((transfer) => transfer.idempotencyKey).sort()).toEqual(
        keys.map((k) => k.key).sort(),
      );
      expect((await store.verify()).ok).toBe(true);
    });

    test('50 concurrent requests with one key across two processes move money once', async () => {
      const deployment = engine.deployment();
      const store = await open(deployment);
      const main = await seedMain(store, 'burst@example.com', '10');
      const sub = await seedSub(store, main, 'burst-sub@example.com', null);
      const servers = [await start(deployment), await start(deployment)];
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          add(servers[i % 2]!.url, main.apiKey, sub.token, '1', 'one-key'),
        ),
      );
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
      expect(answers.filter((answer) => !answer.replayed)).toHaveLength(1);
      const page = await store.listSubaccounts(main.accountId, 1, 20);
      expect(page.items[0]!.balanceMicros).toBe(1_000_000n);
    });
  });
}
