import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAmount } from '../../src/domain/money.js';
import type { Store } from '../../src/domain/store.js';
import { newTransferId } from '../../src/app/ids.js';
import { generateSubaccountToken } from '../../src/app/keys.js';
import { postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { creditCommand, operatorCommand, seedMain, seedSub, type SeededMain } from '../helpers/fixtures.js';
import { createPostgresStore, POSTGRES_URL } from '../helpers/postgres-factory.js';

/**
 * History pages are gap-free on PostgreSQL because every transaction that
 * writes a transfer of main account M holds M's row lock before its INSERT
 * (so M's seq order is its commit order). Each case holds M's lock from a
 * raw connection and checks the write waits for it before its INSERT (the
 * foreign key to M would make the INSERT wait too, but after seq was drawn).
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

describe.skipIf(!reachable)('every writer of a main account’s history holds its row lock', () => {
  let subject: Awaited<ReturnType<typeof createPostgresStore>>;
  let store: Store;
  let main: SeededMain;
  let sub: { token: string; accountId: number };

  beforeEach(async () => {
    subject = await createPostgresStore();
    store = subject.store;
    main = await seedMain(store, '100');
    sub = await seedSub(store, main, '10');
  });
  afterEach(() => subject.dispose());

  /** Runs `write` while M is locked elsewhere: it must block on that lock, then succeed. */
  async function mustWaitForMain(write: () => Promise<{ ok: boolean }>): Promise<void> {
    const holder = new pg.Client({
      connectionString: POSTGRES_URL,
      options: `-c search_path=${subject.schema}`,
    });
    await holder.connect();
    try {
      const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM accounts WHERE id = $1 FOR UPDATE', [main.accountId]);
      let settled = false;
      const writing = write().finally(() => (settled = true));
      let blockedOn: string | null = null;
      // Polls a condition, not a clock: either the write shows up blocked by the holder, or it finished without M's lock.
      while (!settled && blockedOn === null) {
        const blocked = await holder.query<{ query: string }>(
          'SELECT query FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
          [rows[0]!.pid],
        );
        blockedOn = blocked.rows[0]?.query ?? null;
      }
      expect({ finishedWithoutTheLock: settled && blockedOn === null }).toEqual({
        finishedWithoutTheLock: false,
      });
      // The foreign key also waits for M, but only in the INSERT, after seq was drawn: too late for the order.
      expect(blockedOn).not.toMatch(/INSERT INTO transfers/i);
      await holder.query('COMMIT');
      expect(await writing).toMatchObject({ ok: true });
    } finally {
      await holder.end();
    }
  }

  it('add and remove', async () => {
    await mustWaitForMain(
      async () => (await store.applyCredits([creditCommand('add', main.keyHash, sub.token, '1')]))[0]!,
    );
  });

  it('a batch', async () => {
    const commands = [creditCommand('add', main.keyHash, sub.token, '1')];
    await mustWaitForMain(() => store.applyCreditBatch({ keyHash: main.keyHash, commands, apply: 'each' }));
  });

  it('a top-up of the main account', async () => {
    await mustWaitForMain(() => store.operatorTransfer(operatorCommand('topup', main.accountId)));
  });

  it('a charge of one of its subaccounts', async () => {
    await mustWaitForMain(() => store.operatorTransfer(operatorCommand('charge', sub.accountId)));
  });

  it('a subaccount created with credit', async () => {
    const token = generateSubaccountToken();
    await mustWaitForMain(() =>
      store.createSubaccount({
        keyHash: main.keyHash,
        type: 'simple',
        email: `s-${token}@example.com`,
        profile: {},
        token,
        subaccountKeyHash: null,
        creditToAttribute: parseAmount('1'),
        transferId: newTransferId(),
        createdAt: new Date(),
      }),
    );
  });
});
