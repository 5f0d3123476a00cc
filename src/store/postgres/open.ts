import type pg from 'pg';
import type { Store } from '../../domain/store.js';
import { checkSchemaName, createPool, type PostgresStoreOptions } from './pool.js';
import { PostgresStore } from './postgres-store.js';

export type { PostgresStoreOptions } from './pool.js';

/**
 * Opens the store for a postgres:// URL and, unless told otherwise, brings the
 * schema up to date: every process runs the migrations on start and the
 * advisory lock lets only one of them do the work.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const { connectionUrl, urlSchema } = splitSchema(url);
  const schema = checkSchemaName(options.schema ?? urlSchema ?? 'public');
  const pool = createPool(connectionUrl, { ...options, schema });
  const store = new PostgresStore(pool, schema);
  if (options.migrate !== false) {
    try {
      if (options.mustExist === true && !(await holdsLedger(pool, schema))) {
        throw new NoLedgerInSchemaError(schema);
      }
      await store.migrate();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }
  return store;
}

/** The schema holds no Tirelire ledger and `mustExist` forbade creating one (open-store.ts says where). */
export class NoLedgerInSchemaError extends Error {
  constructor(readonly schema: string) {
    super(`no Tirelire ledger in schema ${schema}`);
    this.name = 'NoLedgerInSchemaError';
  }
}

/** Whether the schema has Tirelire's migration table: a ledger, however old its version. */
async function holdsLedger(pool: pg.Pool, schema: string): Promise<boolean> {
  const found = await pool.query<{ table: string | null }>('SELECT to_regclass($1) AS table', [
    `${schema}.schema_migrations`,
  ]);
  return found.rows[0]?.table != null;
}

/**
 * `?schema=NAME` on the URL picks the schema, so that every process started
 * with the same DATABASE_URL shares it (and test runs can each have their own).
 * pg would not understand the parameter, so it is taken off the URL.
 */
function splitSchema(url: string): { connectionUrl: string; urlSchema: string | undefined } {
  const parsed = new URL(url);
  const urlSchema = parsed.searchParams.get('schema') ?? undefined;
  if (urlSchema === undefined) return { connectionUrl: url, urlSchema };
  parsed.searchParams.delete('schema');
  return { connectionUrl: parsed.toString(), urlSchema };
}
