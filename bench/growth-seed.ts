import Database from 'better-sqlite3';
import pg from 'pg';
import { seedTirelire, type SeededMain, type TirelireDatabase } from './tirelire-seed.js';

/**
 * A large ledger written straight in SQL, outside any timed window: one main
 * account made through the Store API (its top-up, its event), then
 * `subaccounts` subaccounts, each with its subaccount.created event, then
 * `transfers` adds of `amountMicros` from the main account, transfer i to
 * subaccount i mod `subaccounts`, each with its transfer.created event,
 * every balance and both balances-after as the real path leaves them, so
 * that `tirelire verify` passes. The transfers are 1 ms apart, ending a
 * minute before the seeding, with UUIDv7 ids of that time. The webhook
 * fan-out is left drained (PostgreSQL's outbox empty, SQLite's cursor at the
 * tree's last event), the steady state of a server running with no endpoint.
 *
 * The secondary indexes of `transfers` are dropped before the insert and
 * built again from their own definitions after it (read from the catalog, so
 * this follows the migrations): built in one go they are packed tighter than
 * indexes grown one transfer at a time, which the bench reports apart.
 */
export interface GrowthSeedOptions {
  readonly subaccounts: number;
  readonly transfers: number;
  readonly openingMicros: bigint;
  readonly amountMicros: bigint;
}

export interface GrowthLedger extends SeededMain {
  /** Seconds spent in the SQL of the subaccounts and of the transfers. */
  readonly subaccountSeconds: number;
  readonly transferSeconds: number;
}

type SeedParameters = {
  readonly main: number;
  /** The main account's last event sequence before the bulk rows. */
  readonly sequence: number;
  readonly subs: number;
  readonly count: number;
  readonly amount: bigint;
  /** The first transfer's time, in ms since the epoch. */
  readonly start: number;
};

export async function seedGrowthLedger(
  database: TirelireDatabase,
  options: GrowthSeedOptions,
): Promise<GrowthLedger> {
  const main = await seedTirelire(database, 0, options.openingMicros);
  const parameters = (sequence: number): SeedParameters => ({
    main: main.mainAccountId,
    sequence,
    subs: options.subaccounts,
    count: options.transfers,
    amount: options.amountMicros,
    start: Date.now() - options.transfers - 60_000,
  });
  const seeded =
    database.engine === 'sqlite'
      ? seedSqlite(database.path, parameters)
      : await seedPostgres(database.url, database.schema, parameters);
  return { ...main, ...seeded };
}

interface Seeded {
  readonly tokens: string[];
  readonly subaccountIds: number[];
  readonly subaccountSeconds: number;
  readonly transferSeconds: number;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

// A UUIDv7 of the time `ms` in SQL text: 48 bits of time, version 7, the variant, random bits.
const SQLITE_UUID7 = `printf('%08x-%04x-7%03x-%04x-%012x', ms >> 16, ms & 65535, abs(random()) % 4096,
  32768 | (abs(random()) % 16384), abs(random()) % 281474976710656)`;
const SQLITE_NONCE = 'lower(hex(randomblob(6)))';
const SUB_EMAIL = (i: string) => `'growth-' || ${i} || '@bench.invalid'`;

function seedSqlite(path: string, parametersAt: (sequence: number) => SeedParameters): Seeded {
  const db = new Database(path);
  try {
    // The seeding alone: a rollback journal (one commit, no multi-GB WAL to fold back) and a
    // large page cache; the server reopens the file with WAL and synchronous=FULL.
    db.pragma('journal_mode = DELETE');
    db.pragma('cache_size = -1048576');
    const row = db
      .prepare('SELECT event_sequence FROM accounts WHERE kind = ? ORDER BY id DESC LIMIT 1')
      .get('main') as { event_sequence: number };
    const p = parametersAt(row.event_sequence);
    const started = performance.now();
    db.transaction(() => sqliteSubaccounts(db, p))();
    const subaccountSeconds = seconds(started);
    const transfersStarted = performance.now();
    const indexes = db
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transfers' AND sql IS NOT NULL`,
      )
      .all() as { name: string; sql: string }[];
    if (p.count > 0) {
      db.transaction(() => {
        for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
        sqliteTransfers(db, p);
        for (const index of indexes) db.exec(index.sql);
      })();
    }
    const transferSeconds = seconds(transfersStarted);
    db.pragma('journal_mode = WAL');
    const subs = db.prepare('SELECT id, token FROM accounts WHERE parent_id = ? ORDER BY id').all(p.main) as {
      id: number;
      token: string;
    }[];
    return {
      tokens: subs.map((s) => s.token),
      subaccountIds: subs.map((s) => s.id),
      subaccountSeconds,
      transferSeconds,
    };
  } finally {
    db.close();
  }
}

function sqliteSubaccounts(db: Database.Database, p: SeedParameters): void {
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @subs)
     INSERT INTO accounts (kind, parent_id, email, token, type, created_at)
     SELECT 'sub', @main, ${SUB_EMAIL('i')}, lower(hex(randomblob(16))), 'simple', @start FROM n`,
  ).run(ints(p, ['subs', 'main', 'start']));
  db.prepare(
    `INSERT INTO events (account_id, sequence, nonce, type, data, transfer_seq, created_at)
     SELECT @main, @sequence + k, ${SQLITE_NONCE},
       'subaccount.created', '{"accountId":' || @main || ',"tokenSubaccount":"' || token || '","email":"' ||
       email || '","status":"active","balance":"0","held":"0","available":"0"}', NULL, @start
     FROM (SELECT row_number() OVER (ORDER BY id) AS k, token, email FROM accounts WHERE parent_id = @main)`,
  ).run(ints(p, ['main', 'sequence', 'start']));
  db.prepare('UPDATE accounts SET event_sequence = ? WHERE id = ?').run(
    BigInt(p.sequence + p.subs),
    BigInt(p.main),
  );
}

function sqliteTransfers(db: Database.Database, p: SeedParameters): void {
  const first = db.prepare('SELECT MIN(id) AS id FROM accounts WHERE parent_id = ?').get(p.main) as {
    id: number;
  };
  const before = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM transfers').get() as { seq: number };
  const values = {
    ...p,
    amount: p.amount,
    firstSub: first.id,
    seq0: before.seq,
    events: p.sequence + p.subs,
  };
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @count),
       m(i, ms) AS (SELECT i, @start + i FROM n)
     INSERT INTO transfers (id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
       credit_balance_after, main_account_id, subaccount_id, idempotency_key, reason, operator, created_at,
       previous_seq, history_ordinal)
     SELECT ${SQLITE_UUID7}, 'add', @main, @firstSub + i % @subs, @amount,
       (SELECT balance FROM accounts WHERE id = @main) - (i + 1) * @amount, (i / @subs + 1) * @amount,
       @main, @firstSub + i % @subs, NULL, NULL, NULL, ms,
       CASE WHEN i >= @subs THEN @seq0 + 1 + i - @subs END, i / @subs + 1
     FROM m`,
  ).run(ints(values, ['count', 'start', 'main', 'firstSub', 'subs', 'amount', 'seq0']));
  db.prepare(
    `INSERT INTO events (account_id, sequence, nonce, type, data, transfer_seq, created_at)
     SELECT @main, @events + seq - @seq0, ${SQLITE_NONCE}, NULL, NULL, seq, created_at
     FROM transfers WHERE seq > @seq0 ORDER BY seq`,
  ).run(ints(values, ['main', 'events', 'seq0']));
  const last = p.sequence + p.subs + p.count;
  db.prepare(
    'UPDATE accounts SET balance = balance - @count * @amount, event_sequence = @last WHERE id = @main',
  ).run(ints({ ...p, last }, ['count', 'amount', 'last', 'main']));
  db.prepare(
    `UPDATE accounts SET balance = (@count / @subs + (id - @firstSub < @count % @subs)) * @amount,
       last_seq = CASE WHEN id - @firstSub < @count
         THEN @seq0 + 1 + (id - @firstSub) + @subs * ((@count - 1 - (id - @firstSub)) / @subs) END,
       history_count = @count / @subs + (id - @firstSub < @count % @subs)
     WHERE parent_id = @main`,
  ).run(ints(values, ['count', 'subs', 'firstSub', 'amount', 'main', 'seq0']));
  db.prepare(
    `INSERT INTO event_fanout (account_id, sequence, pending) VALUES (@main, @last, 0)
     ON CONFLICT (account_id) DO UPDATE SET sequence = excluded.sequence, pending = 0`,
  ).run(ints({ ...p, last }, ['main', 'last']));
}

/** Named integer parameters: better-sqlite3 binds a JS number as a REAL, and `/` would then divide exactly. */
function ints<T extends Record<string, number | bigint>, K extends keyof T>(
  values: T,
  keys: readonly K[],
): Record<K, bigint> {
  return Object.fromEntries(keys.map((key) => [key, BigInt(values[key]!)])) as Record<K, bigint>;
}

const PG_UUID7 = `lpad(to_hex(ms >> 16), 8, '0') || '-' || lpad(to_hex(ms & 65535), 4, '0') || '-7' ||
  lpad(to_hex((random() * 4095)::int), 3, '0') || '-' || to_hex(8 + (random() * 3)::int) ||
  lpad(to_hex((random() * 4095)::int), 3, '0') || '-' || lpad(to_hex((random() * 281474976710655)::bigint), 12, '0')`;
const PG_NONCE = 'substr(md5(random()::text), 1, 12)';

async function seedPostgres(
  url: string,
  schema: string,
  parametersAt: (sequence: number) => SeedParameters,
): Promise<Seeded> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    await client.query(`SET maintenance_work_mem = '512MB'`);
    const found = await client.query<{ event_sequence: string }>(
      `SELECT event_sequence FROM accounts WHERE kind = 'main' ORDER BY id DESC LIMIT 1`,
    );
    const p = parametersAt(Number(found.rows[0]!.event_sequence));
    const started = performance.now();
    await inTransaction(client, () => postgresSubaccounts(client, p));
    const subaccountSeconds = seconds(started);
    const transfersStarted = performance.now();
    const indexes = await client.query<{ name: string; definition: string }>(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
       WHERE i.indrelid = 'transfers'::regclass AND c.oid IS NULL`,
    );
    if (p.count > 0) {
      await inTransaction(client, async () => {
        for (const index of indexes.rows) await client.query(`DROP INDEX ${index.name}`);
        await postgresTransfers(client, p);
        for (const index of indexes.rows) await client.query(index.definition);
      });
    }
    // What autovacuum does after such an insert: statistics and the visibility map.
    await client.query('VACUUM ANALYZE accounts, transfers, events');
    const transferSeconds = seconds(transfersStarted);
    const subs = await client.query<{ id: string; token: string }>(
      'SELECT id, token FROM accounts WHERE parent_id = $1 ORDER BY id',
      [p.main],
    );
    return {
      tokens: subs.rows.map((s) => s.token),
      subaccountIds: subs.rows.map((s) => Number(s.id)),
      subaccountSeconds,
      transferSeconds,
    };
  } finally {
    await client.end();
  }
}

async function inTransaction(client: pg.Client, body: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await body();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function postgresSubaccounts(client: pg.Client, p: SeedParameters): Promise<void> {
  await client.query(
    `INSERT INTO accounts (kind, parent_id, email, token, type, created_at)
     SELECT 'sub', $1::bigint, ${SUB_EMAIL('i')}, md5(random()::text || i), 'simple', to_timestamp($3::bigint / 1000.0)
     FROM generate_series(0, $2::int - 1) AS i`,
    [p.main, p.subs, p.start],
  );
  await client.query(
    `INSERT INTO events (account_id, sequence, id, type, data, transfer_id, created_at)
     SELECT $1::bigint, $2::bigint + k, 'evt_' || $1::bigint || '_' || ($2::bigint + k) || '_' || ${PG_NONCE},
       'subaccount.created', '{"accountId":' || $1::bigint || ',"tokenSubaccount":"' || token || '","email":"' || email ||
       '","status":"active","balance":"0","held":"0","available":"0"}', NULL, to_timestamp($3::bigint / 1000.0)
     FROM (SELECT row_number() OVER (ORDER BY id) AS k, token, email FROM accounts WHERE parent_id = $1) s`,
    [p.main, p.sequence, p.start],
  );
  await client.query('UPDATE accounts SET event_sequence = $1 WHERE id = $2', [p.sequence + p.subs, p.main]);
}

async function postgresTransfers(client: pg.Client, p: SeedParameters): Promise<void> {
  const before = await client.query<{ seq: string; balance: string }>(
    `SELECT (SELECT COALESCE(max(seq), 0) FROM transfers) AS seq, (SELECT balance FROM accounts WHERE id = $1) AS balance`,
    [p.main],
  );
  const seq0 = before.rows[0]!.seq;
  const opening = before.rows[0]!.balance;
  // CREATE TABLE AS takes no parameters; the id is a number.
  await client.query(
    `CREATE TEMP TABLE growth_subs ON COMMIT DROP AS
     SELECT (row_number() OVER (ORDER BY id) - 1)::int AS k, id, token FROM accounts
     WHERE parent_id = ${Number(p.main)}`,
  );
  // Transfer i is seq0 + 1 + i, to subaccount i % subs: its history's previous is i - subs (migration 10's chain).
  await client.query(
    `INSERT INTO transfers (seq, id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
       credit_balance_after, main_account_id, subaccount_id, subaccount_token, idempotency_key, reason,
       operator, created_at, previous_seq, history_ordinal) OVERRIDING SYSTEM VALUE
     SELECT $7::bigint + 1 + i, (${PG_UUID7})::uuid, 'add', $1::bigint, s.id, $2::bigint,
       $3::bigint - (i + 1) * $2::bigint, (i / $4::bigint + 1) * $2::bigint, $1::bigint, s.id, s.token, NULL, NULL,
       NULL, to_timestamp(ms / 1000.0), CASE WHEN i >= $4::bigint THEN $7::bigint + 1 + i - $4::bigint END,
       i / $4::bigint + 1
     FROM (SELECT i, $5::bigint + i AS ms FROM generate_series(0::bigint, $6::bigint - 1) AS i) n
     JOIN growth_subs s ON s.k = n.i % $4::bigint
     ORDER BY n.i`,
    [p.main, p.amount.toString(), opening, p.subs, p.start, p.count, seq0],
  );
  await client.query(`SELECT setval('transfers_seq_seq', $1::bigint + $2::bigint)`, [seq0, p.count]);
  const events = p.sequence + p.subs;
  await client.query(
    `INSERT INTO events (account_id, sequence, id, type, data, transfer_id, created_at)
     SELECT $1::bigint, $2::bigint + seq - $3::bigint,
       'evt_' || $1::bigint || '_' || ($2::bigint + seq - $3::bigint) || '_' || ${PG_NONCE}, 'transfer.created',
       NULL, id, created_at
     FROM transfers WHERE seq > $3::bigint ORDER BY seq`,
    [p.main, events, seq0],
  );
  await client.query(
    'UPDATE accounts SET balance = balance - $2::bigint * $3, event_sequence = $4 WHERE id = $1',
    [p.main, p.count, p.amount.toString(), events + p.count],
  );
  await client.query(
    `UPDATE accounts a SET balance = ($1::bigint / $2 + (s.k < $1::bigint % $2)::int) * $3,
       history_count = $1::bigint / $2 + (s.k < $1::bigint % $2)::int,
       last_seq = CASE WHEN s.k < $1::bigint
         THEN $4::bigint + 1 + s.k + $2 * (($1::bigint - 1 - s.k) / $2) END
     FROM growth_subs s WHERE a.id = s.id`,
    [p.count, p.subs, p.amount.toString(), seq0],
  );
  await client.query('DELETE FROM event_outbox WHERE account_id = $1', [p.main]);
}
