import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/open.js';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

export const POSTGRES_URL = process.env['DATABASE_URL']?.startsWith('postgres')
  ? process.env['DATABASE_URL']
  : 'postgres://postgres@127.0.0.1:5432/test';

/** `url` with `?schema=`: how a server process or the CLI is pointed at one schema. */
export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

/** A schema name of its own per test store, so runs and parallel files never see each other's rows. */
export function freshSchema(): string {
  return `tirelire_test_${randomBytes(6).toString('hex')}`;
}

/** A pool of raw connections into `schema`, for tests that read or hold what the store cannot show. */
export function schemaPool(schema: string, max: number): pg.Pool {
  return new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}`, max });
}

/** A PostgreSQL store in a fresh schema, with a raw SQL door into that schema for tamper tests. */
export async function createPostgresStore(
  options: PostgresStoreOptions = {},
): Promise<StoreUnderTest & { schema: string }> {
  const schema = options.schema ?? freshSchema();
  const store = await openPostgresStore(POSTGRES_URL, { ...options, schema });
  return {
    store,
    schema,
    async exec(sql) {
      const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    async dispose() {
      await store.close();
      await dropPostgresSchema(POSTGRES_URL, schema);
    },
  };
}

export const postgresFactory: StoreFactory = {
  name: 'postgres',
  available: () => postgresReachable(POSTGRES_URL),
  create: () => createPostgresStore(),
};
