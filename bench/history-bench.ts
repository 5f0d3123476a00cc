import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../src/domain/store.js';
import { openStore } from '../src/store/open-store.js';
import { openPostgresStore } from '../src/store/postgres/open.js';
import { dropPostgresSchema, postgresReachable } from '../src/store/postgres/schema-admin.js';
import { HISTORY_PAGE, measureHistoryPages, type PageTiming } from './history-pages.js';
import { seedMainAccount, type SeededMain } from './tirelire-seed.js';

/**
 * `npm run bench:history`: one page of 100 of one subaccount's history, read
 * through the HTTP route (app.inject: key check, listing, JSON), with
 * TRANSFERS transfers in the store, spread over SUBACCOUNTS subaccounts of
 * one main account. The transfers are bulk-inserted with raw SQL into the
 * stores' own schema; their balances are synthetic (this ledger would not
 * pass `verify`), which the listing does not read. Pages start at random
 * cursors through the subaccount's history, so deep pages count as much as
 * the first one.
 */
const TRANSFERS = Number(process.env['BENCH_TRANSFERS'] ?? 1_000_000);
const SUBACCOUNTS = 100;
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 200);
const POSTGRES_URL = process.env['DATABASE_URL']?.startsWith('postgres')
  ? process.env['DATABASE_URL']
  : 'postgres://postgres@127.0.0.1:5432/test';

/** Transfer i goes to subaccount i mod SUBACCOUNTS; ids are unique UUID-shaped text. */
function sqliteBulkInsert(path: string, seeded: SeededMain): void {
  const db = new Database(path);
  const firstSub = seeded.subaccountIds[0]!;
  db.exec('BEGIN');
  const seq0 = db.prepare('SELECT COALESCE(MAX(seq), 0) FROM transfers').pluck().get() as number;
  const values = { count: TRANSFERS, main: seeded.mainAccountId, firstSub, subs: SUBACCOUNTS, seq0 };
  // Transfer i has seq seq0 + i; each links to its subaccount's previous one and has its rank there
  // (the seeded subaccounts have no transfer before).
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
     INSERT INTO transfers (id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
       credit_balance_after, main_account_id, subaccount_id, idempotency_key, reason, operator, created_at,
       previous_seq, history_ordinal)
     SELECT printf('%08x-0000-7000-8000-%012x', i, i), 'add', @main, @firstSub + (i % @subs), 10000,
       1000000000 - i, i * 10000, @main, @firstSub + (i % @subs), NULL, NULL, NULL, @start + i,
       CASE WHEN i > @subs THEN @seq0 + i - @subs END, (i - 1) / @subs + 1
     FROM n`,
  ).run({ ...values, start: Date.now() });
  db.prepare(
    `UPDATE accounts SET last_seq = @seq0 + @count - ((@count - (id - @firstSub)) % @subs),
       history_count = (@count - (CASE WHEN id = @firstSub THEN @subs ELSE id - @firstSub END)) / @subs + 1
     WHERE parent_id = @main AND id - @firstSub < @subs`,
  ).run(values);
  db.exec('COMMIT');
  db.exec('VACUUM');
  db.exec('ANALYZE');
  db.close();
}

async function postgresBulkInsert(url: string, schema: string, seeded: SeededMain): Promise<void> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    await client.query('BEGIN');
    const found = await client.query<{ seq: string }>('SELECT COALESCE(max(seq), 0) AS seq FROM transfers');
    const seq0 = found.rows[0]!.seq;
    // As on SQLite: transfer i has seq seq0 + i, linked to its subaccount's previous one with its rank.
    await client.query(
      `INSERT INTO transfers (seq, id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
         credit_balance_after, main_account_id, subaccount_id, subaccount_token, idempotency_key, reason,
         operator, created_at, previous_seq, history_ordinal) OVERRIDING SYSTEM VALUE
       SELECT $6::bigint + i, (lpad(to_hex(i), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
         'add', $1, $2::bigint + (i % $3), 10000, 1000000000 - i, i::bigint * 10000, $1, $2::bigint + (i % $3),
         ($4::text[])[(i % $3) + 1], NULL, NULL, NULL, now() + i * interval '1 millisecond',
         CASE WHEN i > $3 THEN $6::bigint + i - $3 END, (i - 1) / $3 + 1
       FROM generate_series(1, $5::int) AS i`,
      [seeded.mainAccountId, seeded.subaccountIds[0]!, SUBACCOUNTS, seeded.tokens, TRANSFERS, seq0],
    );
    await client.query(`SELECT setval('transfers_seq_seq', $1::bigint + $2::bigint)`, [seq0, TRANSFERS]);
    await client.query(
      `UPDATE accounts SET last_seq = $4::bigint + $1::bigint - (($1::bigint - (id - $2::bigint)) % $3),
         history_count = ($1::bigint - (CASE WHEN id = $2::bigint THEN $3 ELSE id - $2::bigint END)) / $3 + 1
       WHERE parent_id = $5 AND id - $2::bigint < $3`,
      [TRANSFERS, seeded.subaccountIds[0]!, SUBACCOUNTS, seq0, seeded.mainAccountId],
    );
    await client.query('COMMIT');
    await client.query('VACUUM ANALYZE transfers');
  } finally {
    await client.end();
  }
}

interface Figures extends PageTiming {
  readonly bytesPerTransfer: number;
}

function measure(store: Store, seeded: SeededMain): Promise<PageTiming> {
  const subaccount = { id: seeded.subaccountIds[1]!, token: seeded.tokens[1]! };
  return measureHistoryPages(
    store,
    { apiKey: seeded.apiKey, mainAccountId: seeded.mainAccountId, subaccount },
    REQUESTS,
  );
}

async function benchSqlite(): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-history-'));
  const path = join(dir, 'tirelire.db');
  try {
    const seeding = await openStore({ databaseUrl: path });
    const seeded = await seedMainAccount(seeding, SUBACCOUNTS, 0n);
    await seeding.close();
    sqliteBulkInsert(path, seeded);
    const raw = new Database(path, { readonly: true });
    const pages = raw.pragma('page_count', { simple: true }) as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    const store = await openStore({ databaseUrl: path });
    try {
      const timing = await measure(store, seeded);
      return { ...timing, bytesPerTransfer: (pages * pageSize) / TRANSFERS };
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(): Promise<Figures | null> {
  if (!(await postgresReachable(POSTGRES_URL))) return null;
  const schema = `tirelire_history_bench_${process.pid}`;
  const store = await openPostgresStore(POSTGRES_URL, { schema });
  try {
    const seeded = await seedMainAccount(store, SUBACCOUNTS, 0n);
    await postgresBulkInsert(POSTGRES_URL, schema, seeded);
    const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await client.connect();
    const size = await client.query<{ bytes: string }>(`SELECT pg_total_relation_size('transfers') AS bytes`);
    await client.end();
    const timing = await measure(store, seeded);
    return { ...timing, bytesPerTransfer: Number(size.rows[0]!.bytes) / TRANSFERS };
  } finally {
    await store.close();
    await dropPostgresSchema(POSTGRES_URL, schema);
  }
}

function line(engine: string, figures: Figures): string {
  return (
    `${engine.padEnd(9)} route p50 ${figures.p50Ms.toFixed(2)} ms  p99 ${figures.p99Ms.toFixed(2)} ms  ` +
    `(store alone p50 ${figures.storeP50Ms.toFixed(2)} ms  p99 ${figures.storeP99Ms.toFixed(2)} ms)  ` +
    `${figures.bytesPerTransfer.toFixed(0)} bytes/transfer (table + indexes)`
  );
}

console.log(
  `history: ${TRANSFERS} transfers over ${SUBACCOUNTS} subaccounts, ${REQUESTS} pages of ${HISTORY_PAGE} of one subaccount`,
);
console.log(line('sqlite', await benchSqlite()));
const postgres = await benchPostgres();
console.log(postgres === null ? 'postgres  unreachable, skipped' : line('postgres', postgres));
