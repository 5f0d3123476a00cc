import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerStats } from '../../src/domain/ledger-stats.js';
import type { Store } from '../../src/domain/store.js';
import { LedgerStatsReader } from '../../src/store/postgres/ledger-stats.js';
import { postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { creditsAmong, seedMain, seedSub, type SeededMain } from '../helpers/fixtures.js';
import { createPostgresStore, POSTGRES_URL, schemaPool } from '../helpers/postgres-factory.js';

/**
 * /metrics on PostgreSQL keeps the money moved by kind between reads up to a
 * settled horizon, and sums only the transfers after it; writers commit
 * concurrently, so a transfer numbered below the last one seen may still be
 * uncommitted (store-ledger-stats.test.ts holds the figures on both stores).
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

describe.skipIf(!reachable)('PostgreSQL ledger stats, summed as the ledger grows', () => {
  let subject: Awaited<ReturnType<typeof createPostgresStore>>;
  let store: Store;
  let pool: pg.Pool;
  let main: SeededMain;
  let subs: { token: string }[];

  beforeEach(async () => {
    subject = await createPostgresStore();
    store = subject.store;
    pool = schemaPool(subject.schema, 3);
    main = await seedMain(store, '1000');
    subs = [await seedSub(store, main, '5'), await seedSub(store, main, '7')];
  });
  afterEach(async () => {
    await pool.end();
    await subject.dispose();
  });

  /** `count` adds and removes between the main account and its two subaccounts. */
  async function transfers(count: number): Promise<void> {
    await creditsAmong(store, main, subs, count);
  }

  /** The money moved by kind as one full scan of the committed transfers sums it. */
  async function movedByScan(): Promise<LedgerStats['movedMicros']> {
    const moved = { add: 0n, remove: 0n, topup: 0n, charge: 0n, autotopup: 0n, close: 0n };
    const found = await pool.query<{ kind: keyof typeof moved; total: string }>(
      'SELECT kind, sum(amount)::text AS total FROM transfers GROUP BY kind',
    );
    for (const row of found.rows) moved[row.kind] = BigInt(row.total);
    return moved;
  }

  it('matches a full scan at its first read, and at each read as the ledger grows', async () => {
    await transfers(25);
    const first = await new LedgerStatsReader(pool).read();
    expect(first.movedMicros).toEqual(await movedByScan());
    expect(first.movedMicros.remove).toBeGreaterThan(0n);
    const reader = new LedgerStatsReader(pool);
    for (let round = 0; round < 4; round += 1) {
      await transfers(7 + round);
      expect((await reader.read()).movedMicros).toEqual(await movedByScan());
      // Read twice with nothing new: the horizon settles and nothing is summed twice.
      expect((await reader.read()).movedMicros).toEqual(await movedByScan());
    }
  });

  it('counts a transfer numbered below one already summed once it commits, and not before', async () => {
    const reader = new LedgerStatsReader(pool);
    await transfers(3);
    const other = await seedMain(store, '1');
    // A writer holds its transaction open after numbering its transfer, as a slow
    // one may: it locks its account first, as every writer does, then inserts.
    const late = new pg.Client({
      connectionString: POSTGRES_URL,
      options: `-c search_path=${subject.schema}`,
    });
    await late.connect();
    try {
      await late.query('BEGIN');
      await late.query('SELECT id FROM accounts WHERE id = $1 FOR UPDATE', [other.accountId]);
      const lateSeq = await late.query<{ seq: string }>(
        `INSERT INTO transfers (id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
           credit_balance_after, main_account_id, created_at)
         SELECT gen_random_uuid(), 'topup', id, $1, 1234567, 0, 0, $1, now() FROM accounts WHERE kind = 'funding'
         RETURNING seq`,
        [other.accountId],
      );
      await transfers(2);
      const before = await movedByScan();
      const lastSeq = await pool.query<{ last: string }>('SELECT max(seq)::text AS last FROM transfers');
      expect(BigInt(lastSeq.rows[0]!.last)).toBeGreaterThan(BigInt(lateSeq.rows[0]!.seq));
      for (let read = 0; read < 3; read += 1) {
        expect((await reader.read()).movedMicros).toEqual(before);
        await transfers(1);
        Object.assign(before, await movedByScan());
      }
      await late.query('COMMIT');
    } finally {
      await late.end();
    }
    const after = await movedByScan();
    expect(after.topup - (await reader.read()).movedMicros.topup).toBe(0n);
    expect((await reader.read()).movedMicros).toEqual(after);
  });
});
