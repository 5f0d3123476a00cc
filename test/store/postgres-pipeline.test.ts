import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/domain/store.js';
import { ledgerWriteStatement } from '../../src/store/postgres/ledger-write.js';
import { createPool } from '../../src/store/postgres/pool.js';
import { openPostgresStore } from '../../src/store/postgres/open.js';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { inPipelinedTransaction } from '../../src/store/postgres/transaction.js';
import { addTransfer, seedMain, seedSub } from '../helpers/fixtures.js';
import { freshSchema, POSTGRES_URL } from '../helpers/postgres-factory.js';

/**
 * The group-commit transaction sends BEGIN with its first statement and COMMIT
 * with its writes, pipelined with their bound parameters: the values must
 * arrive exactly as sent, and a failure anywhere must still roll everything
 * back.
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

const AWKWARD = [
  "it's",
  'back\\slash',
  '"quoted"',
  '{braces},comma',
  'NULL',
  '',
  ' spaced ',
  '$1 $$ dollars',
  "'); DROP TABLE accounts; --",
  'é😀',
];

describe.skipIf(!reachable)('inPipelinedTransaction on PostgreSQL', () => {
  const schema = freshSchema();
  let store: Store;
  let pool: pg.Pool;

  beforeAll(async () => {
    store = await openPostgresStore(POSTGRES_URL, { schema });
    pool = createPool(POSTGRES_URL, { schema });
    await pool.query('CREATE TABLE probe (attempt int, note text)');
  });

  afterAll(async () => {
    await pool?.end();
    await store?.close();
    await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('sends values as bound parameters, with BEGIN and with COMMIT, named or not', async () => {
    const text = 'SELECT $1::text[] AS list, $2::text AS one, $3::timestamptz AS at, $4::bigint AS big';
    const values = [AWKWARD, AWKWARD.join('|'), new Date('2026-03-04T05:06:07.089Z'), '9007199254740993'];
    const bound = await pool.query(text, values);
    const first = await inPipelinedTransaction(pool, (tx) => tx.query(text, values));
    const named = await inPipelinedTransaction(pool, (tx) =>
      tx.query({ name: 'awkward_probe', text, values }),
    );
    await inPipelinedTransaction(pool, async (tx) => {
      await tx.query('SELECT 1');
      tx.beforeCommit({
        name: 'awkward_insert',
        text: 'INSERT INTO probe VALUES (-1, $1)',
        values: [AWKWARD.join('|')],
      });
    });
    expect(first.rows).toEqual(bound.rows);
    expect(named.rows).toEqual(bound.rows);
    expect(bound.rows[0]).toMatchObject({ list: AWKWARD, big: '9007199254740993' });
    const inserted = await pool.query('DELETE FROM probe WHERE attempt = -1 RETURNING note');
    expect(inserted.rows).toEqual([{ note: AWKWARD.join('|') }]);
  });

  it('rolls back the whole transaction when a statement sent with COMMIT fails, and reuses the connection', async () => {
    const failing = inPipelinedTransaction(pool, async (tx) => {
      await tx.query('INSERT INTO probe VALUES ($1, $2)', [0, 'first']);
      tx.beforeCommit({ text: 'INSERT INTO probe VALUES ($1, $2)', values: [0, 'queued'] });
      tx.beforeCommit({ text: 'SELECT 1 / $1::int', values: [0] });
    });
    await expect(failing).rejects.toMatchObject({ code: '22012' });
    expect((await pool.query('SELECT count(*)::int AS n FROM probe')).rows[0]).toEqual({ n: 0 });
    // The connection went back to the pool out of the aborted transaction: the next one works on it.
    const next = await inPipelinedTransaction(pool, (tx) => tx.query('SELECT count(*)::int AS n FROM probe'));
    expect(next.rows).toEqual([{ n: 0 }]);
  });

  it('rolls back when the statement sent with BEGIN fails', async () => {
    const failing = inPipelinedTransaction(pool, (tx) => tx.query('SELECT 1 / $1::int', [0]));
    await expect(failing).rejects.toMatchObject({ code: '22012' });
    await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('retries the whole transaction after a deadlock reported by the COMMIT round trip', async () => {
    let attempts = 0;
    const result = await inPipelinedTransaction(pool, async (tx) => {
      attempts += 1;
      await tx.query('INSERT INTO probe VALUES ($1, $2)', [attempts, 'retried']);
      if (attempts === 1) {
        tx.beforeCommit({
          text: `DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '40P01'; END $$`,
          values: [],
        });
      }
      return attempts;
    });
    expect(result).toBe(2);
    const rows = await pool.query('SELECT attempt FROM probe ORDER BY attempt');
    expect(rows.rows).toEqual([{ attempt: 2 }]);
    await pool.query('DELETE FROM probe');
  });

  it('commits statements queued without any query before, and does nothing for an empty transaction', async () => {
    await inPipelinedTransaction(pool, (tx) => {
      tx.beforeCommit({ text: 'INSERT INTO probe VALUES ($1, $2)', values: [9, 'alone'] });
      return Promise.resolve();
    });
    await inPipelinedTransaction(pool, () => Promise.resolve());
    expect((await pool.query('SELECT attempt, note FROM probe')).rows).toEqual([
      { attempt: 9, note: 'alone' },
    ]);
    await pool.query('DELETE FROM probe');
  });

  it('refuses, in SQL, a ledger write whose balances miss an account, so it cannot commit', async () => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main);
    const transfer = addTransfer(main.accountId, sub, {
      amount: 1_000_000n,
      mainAfter: 9_000_000n,
      subAfter: 1_000_000n,
    });
    const accounts = new Map([
      [main.accountId, { balanceMicros: 9_000_000n, heldMicros: 0n, eventSequence: 0, closedAt: null }],
      [sub.accountId, { balanceMicros: 1_000_000n, heldMicros: 0n, eventSequence: 0, closedAt: null }],
      [2_000_000_000, { balanceMicros: 5n, heldMicros: 0n, eventSequence: 0, closedAt: null }],
    ]);
    const write = ledgerWriteStatement({
      transfers: [transfer],
      accounts,
      events: [],
      holds: [],
      usage: [],
    })!;
    const failing = inPipelinedTransaction(pool, (tx) => {
      tx.beforeCommit(write);
      return Promise.resolve();
    });
    await expect(failing).rejects.toThrow(/balance update touched 2 of 3 accounts/);
    const found = await pool.query('SELECT count(*)::int AS n FROM transfers WHERE id = $1', [transfer.id]);
    expect(found.rows[0]).toEqual({ n: 0 });
    const balance = await pool.query('SELECT balance::text FROM accounts WHERE id = $1', [main.accountId]);
    expect(balance.rows[0]).toEqual({ balance: '10000000' });
  });
});
