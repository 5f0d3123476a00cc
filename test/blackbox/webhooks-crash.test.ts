import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Store } from '../../src/domain/store.js';
import { openStore } from '../../src/store/open-store.js';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { seedMain, seedSub } from '../helpers/http-fixture.js';
import { freshSchema, POSTGRES_URL, withSchema } from '../helpers/postgres-factory.js';
import { postJson, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { startReceiver, verify } from '../helpers/webhook-receiver.js';

/**
 * kill -9 of the real server(s) in the middle of a stream of transfers,
 * with a receiver live: after the restart every acknowledged transfer has
 * its event in the feed and the receiver gets it (de-duplicated by
 * webhook-id), a refused request has none, the tree's sequence has no gap,
 * and the events are the changes exactly. On SQLite (one process) and on
 * PostgreSQL with three processes.
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

const ENV = { WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_SCHEDULE: '100,200,400,800,1600,3200' };
/** Acknowledged transfers before the kill. */
const BEFORE_KILL = 150;
const CLIENTS = 8;

interface FeedEvent {
  readonly id: string;
  readonly type: string;
  readonly sequence: number;
  readonly data: { readonly id?: string };
}

async function readFeed(url: string, apiKey: string): Promise<FeedEvent[]> {
  const events: FeedEvent[] = [];
  for (let after = 0; ;) {
    const answer = await fetch(`${url}/v1/events?apiKey=${apiKey}&after=${after}&limit=1000`);
    const page = (await answer.json()) as { data: FeedEvent[]; nextAfter: number };
    events.push(...page.data);
    if (page.data.length < 1000) return events;
    after = page.nextAfter;
  }
}

async function ledgerTransferIds(store: Store, mainAccountId: number): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let cursor: string | undefined; ;) {
    const page = await store.listTransfers({ mainAccountId, limit: 1000, cursor });
    for (const transfer of page.items) ids.add(transfer.id);
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
}

async function crashAndCheck(databaseUrl: string, processes: number): Promise<void> {
  const start = () =>
    Promise.all(Array.from({ length: processes }, () => startServerProcess({ databaseUrl, env: ENV })));
  let servers: ServerProcess[] = await start();
  const store = await openStore({ databaseUrl });
  const receiver = await startReceiver();
  try {
    const main = await seedMain(store, `crash-${processes}@example.com`, '1000');
    const sub = await seedSub(store, main, `crash-sub-${processes}@example.com`, null);
    const before = await readFeed(servers[0]!.url, main.apiKey);
    const registered = await postJson(`${servers[0]!.url}/v1/webhooks`, {
      apiKey: main.apiKey,
      url: receiver.url,
    });
    const { secret } = registered.body['webhook'] as { secret: string };
    const registeredAfter = before.at(-1)?.sequence ?? 0;

    const acknowledged = new Set<string>();
    let refused = 0;
    let enough!: () => void;
    const killTime = new Promise<void>((resolve) => (enough = resolve));
    let stop = false;
    const client = async (index: number) => {
      for (let round = 0; !stop; round += 1) {
        const server = servers[(index + round) % servers.length]!;
        // Every fifth request is refused (8, insufficient credit): it must leave no event.
        const remove = round % 5 === 4;
        const path = remove ? '/v1/subaccount/credit/remove' : '/v1/subaccount/credit/add';
        try {
          const answer = await postJson(`${server.url}${path}`, {
            apiKey: main.apiKey,
            tokenSubaccount: sub.token,
            credit: remove ? '100000' : '0.01',
          });
          if (answer.status === 200) acknowledged.add(answer.body['transferId'] as string);
          else if (answer.body['code'] === 8) refused += 1;
          if (acknowledged.size >= BEFORE_KILL) enough();
        } catch {
          return; // the server died under this request: its outcome is unknown, and either is fine
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, index) => client(index));
    await killTime;
    await Promise.all(servers.map((server) => server.crash()));
    stop = true;
    await Promise.all(clients);
    expect(refused).toBeGreaterThan(0);

    servers = await start();
    const feed = await readFeed(servers[0]!.url, main.apiKey);
    expect(feed.map((event) => event.sequence)).toEqual(feed.map((_, index) => index + 1));
    const told = new Set(
      feed.filter((event) => event.type === 'transfer.created').map((event) => event.data.id!),
    );
    for (const id of acknowledged)
      expect(told.has(id), `acknowledged transfer ${id} has no event`).toBe(true);
    // Events = changes: one transfer.created per transfer of the tree's ledger, none for a refusal.
    expect(told).toEqual(await ledgerTransferIds(store, main.accountId));

    const owed = new Set(feed.filter((event) => event.sequence > registeredAfter).map((event) => event.id));
    const received = await receiver.until((all) => {
      const ids = new Set(all.map((entry) => entry.headers['webhook-id']));
      return [...owed].every((id) => ids.has(id));
    }, 60_000);
    for (const entry of received)
      expect(verify(entry, secret)).toMatchObject({ id: entry.headers['webhook-id'] });
  } finally {
    await Promise.all(servers.map((server) => server.crash()));
    await store.close();
    await receiver.close();
  }
}

describe('webhooks across kill -9', () => {
  const dirs: string[] = [];
  const schemas: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    for (const schema of schemas) await dropPostgresSchema(POSTGRES_URL, schema);
  });

  test('SQLite, one server process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tirelire-webhook-crash-'));
    dirs.push(dir);
    await crashAndCheck(join(dir, 'tirelire.db'), 1);
  });

  test.skipIf(!reachable)('PostgreSQL, three server processes', async () => {
    const schema = freshSchema();
    schemas.push(schema);
    await crashAndCheck(withSchema(POSTGRES_URL, schema), 3);
  });
});
