import pg from 'pg';
import { checkSchemaName } from './pool.js';

/**
 * Drops a whole schema with its tables, for tests that each ran in a schema
 * of their own. The append-only triggers guard rows, not the table itself.
 */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${checkSchemaName(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Whether a PostgreSQL answers at `url`: tests skip themselves locally when none does (never in CI). */
export async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
