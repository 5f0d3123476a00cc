import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError, type Store } from '../../src/domain/store.js';
import type { CreditOutcome } from '../../src/domain/transfers.js';
import { openPostgresStore } from '../../src/store/postgres/open.js';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { creditCommand, seedMain, seedSub } from '../helpers/fixtures.js';
import { freshSchema, POSTGRES_URL } from '../helpers/postgres-factory.js';
import { blackHole, TcpProxy } from '../helpers/tcp-proxy.js';

/**
 * PostgreSQL going away and coming back, played by cutting a TCP relay in
 * front of the shared server: every call fails fast with StoreUnavailableError,
 * nothing is half-applied, and the store recovers by itself.
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

function viaPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

async function settle<T>(work: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await work };
  } catch (error) {
    return { error };
  }
}

describe.skipIf(!reachable)('PostgreSQL store when the database goes away', () => {
  const target = new URL(POSTGRES_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  const schema = freshSchema();
  const idleWaiters: ((error: Error) => void)[] = [];
  let store: Store;

  beforeAll(async () => {
    const port = await proxy.start();
    store = await openPostgresStore(viaPort(POSTGRES_URL, port), {
      schema,
      poolMax: 8,
      onIdleError: (error) => idleWaiters.splice(0).forEach((resolve) => resolve(error)),
    });
  });
  afterAll(async () => {
    await proxy.start().catch(() => undefined);
    await store?.close();
    await proxy.stop();
    if (reachable) await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('fails fast with StoreUnavailableError while down, and recovers by itself', async () => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main);
    await proxy.stop();
    const started = Date.now();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.authenticate(main.keyHash)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(
      store.applyCredits([creditCommand('add', main.keyHash, sub.token, '1')]),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(3_000);
    await proxy.start();
    await store.ping();
    const [outcome] = await store.applyCredits([creditCommand('add', main.keyHash, sub.token, '1')]);
    expect(outcome).toMatchObject({ ok: true });
    expect((await store.verify()).ok).toBe(true);
  });

  it('cut mid-load: every call settles as an outcome or 503-able error, nothing half-applied', async () => {
    const main = await seedMain(store, '1000');
    const sub = await seedSub(store, main);
    let settled = 0;
    let cut: Promise<void> | null = null;
    const calls = Array.from({ length: 300 }, () =>
      settle(store.applyCredits([creditCommand('add', main.keyHash, sub.token, '1')])).then((result) => {
        settled += 1;
        // Cut the connection once the load is well under way.
        if (settled === 40) cut = proxy.stop();
        return result;
      }),
    );
    const results = await Promise.all(calls);
    await cut;
    const errors = results.flatMap((result) => ('error' in result ? [result.error] : []));
    const outcomes = results.flatMap((result) => ('value' in result ? result.value : [])) as CreditOutcome[];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error instanceof StoreUnavailableError)).toBe(true);
    await proxy.start();
    const acknowledged = outcomes.filter((outcome) => outcome.ok).length;
    const subBalance = (await store.getAccount(sub.accountId))!.balanceMicros / 1_000_000n;
    // Acknowledged transfers are all there; one whose COMMIT answer was lost may be there too.
    expect(subBalance).toBeGreaterThanOrEqual(BigInt(acknowledged));
    expect(subBalance).toBeLessThanOrEqual(BigInt(acknowledged + errors.length));
    expect((await store.verify()).ok).toBe(true);
  });

  it('survives idle connections dying: the pool error is heard, not thrown', async () => {
    await Promise.all([store.ping(), store.ping(), store.ping()]);
    const heard = new Promise<Error>((resolve) => idleWaiters.push(resolve));
    await proxy.stop();
    expect((await heard).message).toMatch(/terminated/);
    await proxy.start();
    await store.ping();
  });

  it('serves at once when the database is back, even through stale pooled connections', async () => {
    await Promise.all([store.ping(), store.ping(), store.ping()]);
    await proxy.stop();
    await proxy.start();
    await Promise.all([store.ping(), store.ping(), store.ping()]);
    const main = await seedMain(store, '1');
    expect(await store.findMainAccountByEmail(main.email)).toMatchObject({ id: main.accountId });
  });
});

describe.skipIf(!reachable)('PostgreSQL store facing a database that never answers', () => {
  it('gives up connecting after the connect timeout with StoreUnavailableError', async () => {
    const hole = await blackHole();
    try {
      const store = await openPostgresStore(viaPort(POSTGRES_URL, hole.port), { migrate: false });
      const started = Date.now();
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(3_500);
      await store.close();
    } finally {
      await hole.close();
    }
  });

  it('refuses to open on an unreachable database with StoreUnavailableError', async () => {
    const hole = await blackHole();
    await hole.close();
    await expect(openPostgresStore(viaPort(POSTGRES_URL, hole.port))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });
});
