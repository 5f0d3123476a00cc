import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/app/keys.js';
import { openStore } from '../../src/store/open-store.js';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { assertBuilt, jsonOf, tirelire } from '../helpers/cli-harness.js';
import { freshSchema, POSTGRES_URL, withSchema } from '../helpers/postgres-factory.js';

/** The built `tirelire` command against PostgreSQL, selected by `--db postgres://…?schema=…`. */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

describe.skipIf(!reachable)('tirelire on PostgreSQL', () => {
  const schema = freshSchema();
  const db = withSchema(POSTGRES_URL, schema);
  const run = (...args: string[]) => tirelire([...args, '--db', db]);

  beforeAll(assertBuilt);
  afterAll(async () => {
    if (reachable) await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('a command other than migrate refuses a schema with no ledger in one line, and creates nothing', async () => {
    const empty = freshSchema();
    const at = withSchema(POSTGRES_URL, empty);
    try {
      const result = tirelire(['account', 'list', '--db', at]);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      const target = new URL(POSTGRES_URL);
      expect(result.stderr).toBe(
        `tirelire: no Tirelire ledger in schema ${empty} at ${target.hostname}:${target.port || '5432'}${target.pathname} (create it with \`tirelire migrate\`, or pass --create)\n`,
      );
      expect(await tablesIn(empty)).toEqual([]);
      const created = tirelire(['account', 'create', '--db', at, '--create', '--email', 'new@example.com']);
      expect(created.status, created.stderr).toBe(0);
      expect(await tablesIn(empty)).toEqual(expect.arrayContaining(['accounts', 'transfers']));
    } finally {
      await dropPostgresSchema(POSTGRES_URL, empty);
    }
  });

  it('migrate creates the schema, and running it again is harmless', async () => {
    for (let time = 0; time < 2; time += 1) {
      const result = run('migrate', '--json');
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(jsonOf(result)).toEqual({ ok: true, engine: 'postgres' });
    }
    expect(await tablesIn(schema)).toEqual(expect.arrayContaining(['accounts', 'transfers']));
  });

  it('account create, topup and verify move exact money on the shared ledger', async () => {
    const created = run('account', 'create', '--email', 'pg-cli@example.com', '--credit', '0.1', '--json');
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(created.stdout).toContain('"credit":0.1');
    const { accountId, apiKey } = jsonOf(created) as { accountId: number; apiKey: string };

    const topped = run('account', 'topup', '--email', 'pg-cli@example.com', '--credit', '0.2', '--json');
    expect(topped.stderr).toBe('');
    expect(topped.status).toBe(0);
    expect(topped.stdout).toContain('"credit":0.3');
    expect(jsonOf(topped)).toMatchObject({ accountId });

    // What the CLI wrote is what a server process on the same URL reads.
    const store = await openStore({ databaseUrl: db });
    try {
      const caller = await store.authenticate(hashApiKey(apiKey));
      expect(caller).toMatchObject({ accountId, kind: 'main', status: 'active', balanceMicros: 300_000n });
    } finally {
      await store.close();
    }

    const verified = run('verify', '--json');
    expect(verified.stderr).toBe('');
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain('"customerBalance":0.3');
    expect(jsonOf(verified)).toMatchObject({ ok: true, accounts: 2, transfers: 2, problems: [] });
  });

  it('a refused command prints one line, exits 1 and changes nothing', () => {
    const before = jsonOf(run('verify', '--json'));
    const duplicate = run('account', 'create', '--email', 'pg-cli@example.com', '--credit', '5', '--json');
    expect(duplicate.status).toBe(1);
    expect(duplicate.stdout).toBe('');
    expect(duplicate.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(duplicate.stderr).toMatch(/code 23/);
    expect(jsonOf(run('verify', '--json'))).toEqual(before);
  });

  it('verify exits 1 and names the account when a balance was tampered with', async () => {
    await sql(`UPDATE ${schema}.accounts SET balance = balance + 1 WHERE email = 'pg-cli@example.com'`);
    const result = run('verify', '--json');
    expect(result.status).toBe(1);
    expect(jsonOf(result)).toMatchObject({ ok: false });
    expect(result.stderr).toMatch(/verify failed: .*pg-cli@example\.com/);
  });

  it('an unreachable PostgreSQL is one JSON error naming host and cause, never the password, exit 1, quickly', () => {
    const started = Date.now();
    const url = withSchema('postgres://postgres:s3cret-pw@127.0.0.1:1/test', schema);
    const result = tirelire(['verify', '--json', '--db', url]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.database).toBe(
      `{"database":"postgres postgres://postgres:***@127.0.0.1:1/test?schema=${schema}"}`,
    );
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    const { error } = JSON.parse(result.stderr) as { error: { message: string } };
    expect(error.message).toBe('cannot use PostgreSQL at 127.0.0.1:1/test: connect ECONNREFUSED 127.0.0.1:1');
    const human = tirelire(['verify', '--db', url]);
    expect(human.stderr).toBe(
      'tirelire: cannot use PostgreSQL at 127.0.0.1:1/test: connect ECONNREFUSED 127.0.0.1:1\n',
    );
    expect(`${human.database ?? ''}${human.stderr}${result.stderr}`).not.toContain('s3cret-pw');
  });
});

async function sql(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function tablesIn(schema: string): Promise<string[]> {
  const found = await sql(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}' ORDER BY 1`,
  );
  return found.rows.map((row: { table_name: string }) => row.table_name);
}
