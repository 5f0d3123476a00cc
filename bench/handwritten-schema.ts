import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The hand-written service's own little ledger, in a PostgreSQL schema of its own so that it
 * never touches Tirelire's tables: accounts with a balance, and an append-only transfer table.
 */
export interface HandwrittenSeed {
  readonly apiKey: string;
  readonly tokens: readonly string[];
  readonly mainAccountId: number;
}

export function hashKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

export async function createHandwrittenSchema(
  databaseUrl: string,
  schema: string,
  subaccounts: number,
  openingMicros: bigint,
): Promise<HandwrittenSeed> {
  return withPgClient(databaseUrl, async (client) => {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`
      CREATE TABLE ${schema}.account (
        id bigserial PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('main', 'sub')),
        parent_id bigint REFERENCES ${schema}.account (id),
        api_key_hash text UNIQUE,
        token text UNIQUE,
        balance_micros bigint NOT NULL CHECK (balance_micros >= 0)
      )`);
    await client.query(`
      CREATE TABLE ${schema}.transfer (
        id bigserial PRIMARY KEY,
        debit_account_id bigint NOT NULL REFERENCES ${schema}.account (id),
        credit_account_id bigint NOT NULL REFERENCES ${schema}.account (id),
        amount_micros bigint NOT NULL CHECK (amount_micros > 0),
        debit_balance_after_micros bigint NOT NULL,
        credit_balance_after_micros bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    const apiKey = `hw_${randomBytes(32).toString('base64url')}`;
    const main = await client.query<{ id: string }>(
      `INSERT INTO ${schema}.account (kind, api_key_hash, balance_micros) VALUES ('main', $1, $2) RETURNING id`,
      [hashKey(apiKey), openingMicros.toString()],
    );
    const mainAccountId = Number(main.rows[0]!.id);
    const tokens = Array.from({ length: subaccounts }, () => randomBytes(16).toString('hex'));
    await client.query(
      `INSERT INTO ${schema}.account (kind, parent_id, token, balance_micros)
       SELECT 'sub', $1, token, 0 FROM unnest($2::text[]) AS token`,
      [mainAccountId, tokens],
    );
    await settleTables(client, [`${schema}.account`, `${schema}.transfer`]);
    return { apiKey, tokens, mainAccountId };
  });
}

/**
 * What autovacuum does within a minute of a table's first rows: statistics
 * for the planner and the visibility map. A timed run of a few seconds right
 * after seeding would otherwise measure plans made for tables the planner has
 * never seen, which a deployment has only in its first minute (pgbench
 * vacuums its tables before each run for the same reason).
 */
export async function settleTables(client: pg.Client, tables: readonly string[]): Promise<void> {
  await client.query(`VACUUM ANALYZE ${tables.join(', ')}`);
}

export async function readHandwrittenBalance(
  databaseUrl: string,
  schema: string,
  accountId: number,
): Promise<bigint> {
  const result = await withPgClient(databaseUrl, (client) =>
    client.query<{ balance_micros: string }>(`SELECT balance_micros FROM ${schema}.account WHERE id = $1`, [
      accountId,
    ]),
  );
  return BigInt(result.rows[0]!.balance_micros);
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  await withPgClient(databaseUrl, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/** Runs `work` on a connection of its own to `databaseUrl`, closed after it whatever happens. */
export async function withPgClient<T>(
  databaseUrl: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
