import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTORY_MARK_EVERY } from '../../src/domain/history-chain.js';
import type { Store } from '../../src/domain/store.js';
import { ledgerWriteStatement } from '../../src/store/postgres/ledger-write.js';
import { MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { openPostgresStore } from '../../src/store/postgres/open.js';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { MARK_ABOVE } from '../../src/store/postgres/subaccount-history.js';
import { readLedgerFacts } from '../../src/store/postgres/verify.js';
import { addTransfer, creditCommand, move, seedMain, seedSub } from '../helpers/fixtures.js';
import { freshSchema, POSTGRES_URL } from '../helpers/postgres-factory.js';

const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

/**
 * Migration 10 replaces the index on (subaccount_id, seq) by the chain SQLite
 * keeps (src/domain/history-chain.ts): each transfer names its subaccount's
 * previous one and its rank, each subaccount its last and their number; one
 * transfer in HISTORY_MARK_EVERY stays indexed. A ledger written before it
 * must come out linked, every write must link on, and verify must see any
 * link that breaks a history.
 */
describe.skipIf(!reachable)('PostgreSQL subaccount history chain (migration 10)', () => {
  let schema: string;
  let client: pg.Client;
  let store: Store | undefined;

  beforeEach(async () => {
    schema = freshSchema();
    client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await client.end();
    await dropPostgresSchema(POSTGRES_URL, schema);
  });

  const open = async () => (store = await openPostgresStore(POSTGRES_URL, { schema }));

  /** A ledger at version 9: one main account, three subaccounts, and `moves` transfers to the first two. */
  async function ledgerAtVersion9(moves: number): Promise<{ main: number; subs: number[] }> {
    for (const step of MIGRATIONS.filter((m) => m.version <= 9)) await client.query(step.sql);
    await client.query(
      `CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
       INSERT INTO schema_migrations (version) SELECT generate_series(1, 9)`,
    );
    const account = async (kind: string, parent: number | null, email: string, token: string | null) =>
      Number(
        (
          await client.query<{ id: string }>(
            `INSERT INTO accounts (kind, parent_id, email, token, created_at) VALUES ($1, $2, $3, $4, now())
             RETURNING id`,
            [kind, parent, email, token],
          )
        ).rows[0]!.id,
      );
    const main = await account('main', null, 'm@x', null);
    const subs = [await account('sub', main, 's1@x', 't1'), await account('sub', main, 's2@x', 't2')];
    subs.push(await account('sub', main, 's3@x', 't3'));
    const funding = Number(
      (await client.query<{ id: string }>("SELECT id FROM accounts WHERE kind = 'funding'")).rows[0]!.id,
    );
    const transfer = (kind: string, debit: number, credit: number, sub: number | null) =>
      client.query(
        `INSERT INTO transfers (id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
           credit_balance_after, main_account_id, subaccount_id, created_at)
         VALUES (gen_random_uuid(), $1, $2, $3, 1, 0, 0, $4, $5, now())`,
        [kind, debit, credit, main, sub],
      );
    await transfer('topup', funding, main, null);
    for (let i = 0; i < moves; i++) {
      // The first two subaccounts in an uneven order, the main account's own transfers between.
      const sub = subs[i % 3 === 0 ? 1 : 0]!;
      await transfer('add', main, sub, sub);
      if (i % 4 === 0) await transfer('charge', main, funding, null);
    }
    return { main, subs };
  }

  const column = async (sql: string, values: unknown[]) =>
    (await client.query({ text: sql, values, rowMode: 'array' })).rows.map((row: unknown[]) =>
      row[0] === null ? null : BigInt(row[0] as string),
    );
  const historyOf = (sub: number) =>
    column('SELECT seq FROM transfers WHERE subaccount_id = $1 ORDER BY seq', [sub]) as Promise<bigint[]>;
  const brokenLinks = async () => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      return (await readLedgerFacts(client)).brokenHistoryLinks;
    } finally {
      await client.query('COMMIT');
    }
  };

  it('links every transfer written before it, then drops the index', async () => {
    const { subs } = await ledgerAtVersion9(25);
    await open();
    for (const sub of subs) {
      const seqs = await historyOf(sub);
      const links = await column('SELECT previous_seq FROM transfers WHERE subaccount_id = $1 ORDER BY seq', [
        sub,
      ]);
      expect(links).toEqual(seqs.length === 0 ? [] : [null, ...seqs.slice(0, -1)]);
      const ranks = await column(
        'SELECT history_ordinal FROM transfers WHERE subaccount_id = $1 ORDER BY seq',
        [sub],
      );
      expect(ranks).toEqual(seqs.map((_, index) => BigInt(index + 1)));
      const head = await client.query('SELECT last_seq, history_count FROM accounts WHERE id = $1', [sub]);
      expect(head.rows[0]).toEqual({
        last_seq: seqs.at(-1)?.toString() ?? null,
        history_count: String(seqs.length),
      });
    }
    expect(await historyOf(subs[2]!)).toEqual([]);
    const indexes = await client.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'transfers' ORDER BY indexname`,
      [schema],
    );
    expect(indexes.rows.map((row: { indexname: string }) => row.indexname)).toEqual([
      'transfers_id_key',
      'transfers_main_few',
      'transfers_main_history',
      'transfers_pkey',
      'transfers_sub_marks',
    ]);
    expect(await brokenLinks()).toBe(0);
    // Still append-only after the migration disabled the trigger for its update.
    await expect(client.query('UPDATE transfers SET previous_seq = NULL')).rejects.toThrow(/append-only/);
  });

  it('pages from any position, a cursor of the history or not, as the old index did', async () => {
    const { subs } = await ledgerAtVersion9(200);
    const opened = await open();
    const [top] = (await column('SELECT max(seq) FROM transfers', [])) as bigint[];
    for (const sub of subs) {
      const all = (await column('SELECT seq FROM transfers WHERE subaccount_id = $1 ORDER BY seq DESC', [
        sub,
      ])) as bigint[];
      for (let position = 1n; position <= top! + 1n; position += 1n) {
        const page = await opened.listTransfers({ subaccountId: sub, limit: 4, cursor: String(position) });
        const below = all.filter((seq) => seq < position);
        const ids = await column('SELECT seq FROM transfers WHERE id = ANY($1::uuid[])', [
          page.items.map((t) => t.id),
        ]);
        expect(ids.sort((a, b) => (b! > a! ? 1 : -1))).toEqual(below.slice(0, 4));
        expect(page.nextCursor === null).toBe(below.length <= 4);
      }
    }
    // A position outside the history is found through the partial index, not by walking from the head.
    await client.query('ANALYZE transfers');
    const plan = await client.query(`EXPLAIN ${MARK_ABOVE}`, [subs[0], 1]);
    expect(plan.rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n')).toContain(
      'transfers_sub_marks',
    );
  });

  it('links each write on, a batch of many transfers and a subaccount whose balance ends where it began', async () => {
    await client.query(`SET search_path = ${schema}`);
    const opened = await open();
    const main = await seedMain(opened, '1000');
    const subs = [await seedSub(opened, main), await seedSub(opened, main), await seedSub(opened, main)];
    await move(opened, 'add', main.keyHash, subs[2]!.token, '1');
    // More than HISTORY_MARK_EVERY transfers of one subaccount, adds and removes interleaved.
    const size = HISTORY_MARK_EVERY * 2 + 7;
    const commands = Array.from({ length: size }, (_, i) =>
      creditCommand(i % 5 === 4 ? 'remove' : 'add', main.keyHash, subs[i % 7 === 0 ? 1 : 0]!.token, '0.5'),
    );
    const outcome = await opened.applyCreditBatch({ keyHash: main.keyHash, commands, apply: 'each' });
    expect(outcome.ok && outcome.applied).toBe(true);
    // An add and a remove of the same amount: the subaccount's row keeps its balance, its history grows by two.
    const even = [creditCommand('add', main.keyHash, subs[2]!.token, '2')];
    even.push(creditCommand('remove', main.keyHash, subs[2]!.token, '2'));
    const evened = await opened.applyCreditBatch({ keyHash: main.keyHash, commands: even, apply: 'each' });
    expect(evened).toMatchObject({ ok: true, applied: true });
    expect(await brokenLinks()).toBe(0);
    const last = await opened.listTransfers({ subaccountId: subs[2]!.accountId, limit: 10 });
    expect(last.items.map((t) => t.id)).toEqual([
      even[1]!.transferId,
      even[0]!.transferId,
      expect.any(String),
    ]);
    // Seqs follow the order of the batch.
    const seqs = await column('SELECT seq FROM transfers WHERE id = ANY($1::uuid[]) ORDER BY seq', [
      commands.map((command) => command.transferId),
    ]);
    const byId = await client.query<{ id: string }>(
      'SELECT id FROM transfers WHERE seq = ANY($1::bigint[]) ORDER BY seq',
      [seqs.map(String)],
    );
    expect(byId.rows.map((row) => row.id)).toEqual(commands.map((command) => command.transferId));
    // Every page of the busy subaccount, walked with its cursors, is its whole history, newest first.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await opened.listTransfers({ subaccountId: subs[0]!.accountId, limit: 7, cursor });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const expected = await client.query<{ id: string }>(
      'SELECT id FROM transfers WHERE subaccount_id = $1 ORDER BY seq DESC',
      [subs[0]!.accountId],
    );
    expect(seen).toEqual(expected.rows.map((row) => row.id));
    expect((await opened.verify()).ok).toBe(true);
  });

  it('counts each link that breaks a history: a skipped transfer, a wrong last, a last on another subaccount', async () => {
    const { subs } = await ledgerAtVersion9(12);
    await open();
    await client.query('ALTER TABLE transfers DISABLE TRIGGER transfers_no_update');
    const [first, second, third] = await historyOf(subs[0]!);
    const set = (sql: string, ...values: unknown[]) => client.query(sql, values.map(String));
    // The third names the first: the second drops out of the history.
    await set('UPDATE transfers SET previous_seq = $1 WHERE seq = $2', first, third);
    expect(await brokenLinks()).toBe(1);
    await set('UPDATE transfers SET previous_seq = $1 WHERE seq = $2', second, third);
    expect(await brokenLinks()).toBe(0);
    // A rank out of step.
    await set('UPDATE transfers SET history_ordinal = 7 WHERE seq = $1', second);
    expect(await brokenLinks()).toBe(1);
    await set('UPDATE transfers SET history_ordinal = 2 WHERE seq = $1', second);
    // A last that is not the newest hides the newer ones; a count that is not theirs.
    await set('UPDATE accounts SET last_seq = $1 WHERE id = $2', third, subs[0]);
    expect(await brokenLinks()).toBe(1);
    await set('UPDATE accounts SET last_seq = $1 WHERE id = $2', (await historyOf(subs[0]!)).at(-1), subs[0]);
    await set('UPDATE accounts SET history_count = history_count + 1 WHERE id = $1', subs[0]);
    expect(await brokenLinks()).toBe(1);
    await set('UPDATE accounts SET history_count = history_count - 1 WHERE id = $1', subs[0]);
    expect(await brokenLinks()).toBe(0);
    // A subaccount with no transfer whose last names another's.
    await set('UPDATE accounts SET last_seq = $1 WHERE id = $2', first, subs[2]);
    expect(await brokenLinks()).toBe(1);
  });

  it('refuses a write whose subaccount head moved after it read it, as a writer without the row lock would', async () => {
    const opened = await open();
    const main = await seedMain(opened, '10');
    const sub = await seedSub(opened, main);
    await move(opened, 'add', main.keyHash, sub.token, '1');
    const statement = ledgerWriteStatement({
      transfers: [addTransfer(main.accountId, sub, { amount: 1n, mainAfter: 0n, subAfter: 0n })],
      accounts: new Map([
        [sub.accountId, { balanceMicros: 1_000_000n, heldMicros: 0n, eventSequence: 0, closedAt: null }],
      ]),
      events: [],
      holds: [],
      usage: [],
    })!;
    const writer = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await writer.connect();
    try {
      // Another transaction moves the head and holds the row; the write reads the head before it commits.
      await client.query('BEGIN');
      await client.query('UPDATE accounts SET last_seq = NULL, history_count = 0 WHERE id = $1', [
        sub.accountId,
      ]);
      await writer.query('BEGIN');
      const writing = writer.query(statement.text, [...statement.values]);
      writing.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await client.query('COMMIT');
      await expect(writing).rejects.toThrow(/touched 0 of 1 accounts/);
      await writer.query('ROLLBACK');
    } finally {
      await writer.end();
    }
  });
});
