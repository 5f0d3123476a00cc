import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  assertBuilt,
  jsonOf,
  ROOT,
  tempDatabase,
  tirelire,
  type TempDatabase,
} from '../helpers/cli-harness.js';

const databases: TempDatabase[] = [];
beforeAll(assertBuilt);
afterEach(() => {
  for (const db of databases.splice(0)) db.remove();
});

function fresh(create = true): TempDatabase {
  const db = tempDatabase({ create });
  databases.push(db);
  return db;
}

function create(db: TempDatabase, email: string, credit: string): number {
  const made = tirelire([
    'account',
    'create',
    '--db',
    db.path,
    '--email',
    email,
    '--credit',
    credit,
    '--json',
  ]);
  expect(made.status, made.stderr).toBe(0);
  return jsonOf(made)['accountId'] as number;
}

describe('no silent new databases', () => {
  const readers: readonly (readonly string[])[] = [
    ['verify'],
    ['demo', '--url', 'http://127.0.0.1:1'],
    ['account', 'topup', '--email', 'a@example.com', '--credit', '1'],
    ['account', 'list'],
    ['account', 'show', '--email', 'a@example.com'],
    ['account', 'rules', 'show', '--email', 'a@example.com'],
    ['hold', 'list', '--email', 'a@example.com'],
    ['history'],
    ['backup', '--to', '/tmp/never-written.db'],
  ];

  it.each(readers)('%s refuses a missing file in one line naming it, and creates nothing', (...args) => {
    const db = fresh(false);
    const result = tirelire([...args, '--db', db.path]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.database).toBe(`tirelire: database: sqlite ${db.path}`);
    expect(result.stderr).toBe(
      `tirelire: no database at ${db.path} (create it with \`tirelire migrate --db ${db.path}\`, or pass --create)\n`,
    );
    expect(existsSync(db.path)).toBe(false);
  });

  it('run from another folder, refuses the default ./data/tirelire.db there, naming it in full', () => {
    const elsewhere = fresh(false);
    const folder = dirname(elsewhere.path);
    const result = tirelire(['demo', '--url', 'http://127.0.0.1:1'], { DATABASE_URL: '' }, folder);
    expect(result.status).toBe(1);
    expect(result.database).toBe(`tirelire: database: sqlite ${join(folder, 'data', 'tirelire.db')}`);
    expect(existsSync(join(folder, 'data'))).toBe(false);
  });

  it('refuses an empty file, or one that is no Tirelire ledger, and leaves it as it was', () => {
    const db = fresh(false);
    writeFileSync(db.path, '');
    const empty = tirelire(['verify', '--db', db.path]);
    expect(empty.status).toBe(1);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toBe(
      `tirelire: ${db.path} is not a Tirelire database (empty, or no Tirelire schema): check --db, or run \`tirelire migrate --db ${db.path}\`\n`,
    );
    expect(statSync(db.path).size).toBe(0);
    writeFileSync(db.path, 'notes, not a database\n');
    expect(tirelire(['account', 'list', '--db', db.path]).status).toBe(1);
    expect(readFileSync(db.path, 'utf8')).toBe('notes, not a database\n');
  });

  it('migrate and an explicit --create make the database; a command then names it', () => {
    const migrated = fresh(false);
    expect(tirelire(['migrate', '--db', migrated.path]).status).toBe(0);
    expect(existsSync(migrated.path)).toBe(true);
    const created = fresh(false);
    const result = tirelire([
      'account',
      'create',
      '--db',
      created.path,
      '--create',
      '--email',
      'c@example.com',
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.database).toBe(`tirelire: database: sqlite ${created.path}`);
    const json = tirelire(['verify', '--db', `sqlite:${created.path}`, '--json']);
    expect(json.database).toBe(`{"database":"sqlite ${created.path}"}`);
    expect(jsonOf(json)).toMatchObject({ ok: true, accounts: 2 });
  });
});

describe('read commands', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = tirelire(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it('account list and show read the accounts, money as exact JSON numbers', () => {
    const db = fresh();
    const first = create(db, 'ann@example.com', '0.1');
    const second = create(db, 'bob@example.com', '1000000000');
    const list = tirelire(['account', 'list', '--db', db.path, '--json']);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(
      `"accountId":${second},"email":"bob@example.com","status":"active","balance":1000000000,`,
    );
    expect(list.stdout).toContain(
      `"accountId":${first},"email":"ann@example.com","status":"active","balance":0.1,`,
    );
    const page = tirelire(['account', 'list', '--db', db.path, '--limit', '1', '--json']);
    const { accounts, nextCursor } = jsonOf(page) as { accounts: { email: string }[]; nextCursor: string };
    expect(accounts.map((account) => account.email)).toEqual(['bob@example.com']);
    const rest = jsonOf(tirelire(['account', 'list', '--db', db.path, '--cursor', nextCursor, '--json']));
    expect((rest['accounts'] as { email: string }[]).map((account) => account.email)).toEqual([
      'ann@example.com',
    ]);
    const show = tirelire(['account', 'show', '--db', db.path, '--account-id', String(first)]);
    expect(show.status).toBe(0);
    expect(show.stdout).toBe(`${first}  ann@example.com  active  0.1 EUR  0 subaccount(s)\n`);
  });

  it('history lists transfers newest first, filters them, and writes the operator CSV', () => {
    const db = fresh();
    const ann = create(db, 'ann@example.com', '10');
    create(db, 'bob@example.com', '20');
    expect(
      tirelire(['account', 'charge', '--db', db.path, '--email', 'ann@example.com', '--credit', '2.5'])
        .status,
    ).toBe(0);
    const all = jsonOf(tirelire(['history', '--db', db.path, '--json'])) as {
      transfers: { kind: string; accountId: number }[];
    };
    expect(all.transfers.map((transfer) => transfer.kind)).toEqual(['charge', 'topup', 'topup']);
    const anns = tirelire([
      'history',
      '--db',
      db.path,
      '--email',
      'ann@example.com',
      '--kind',
      'charge',
      '--json',
    ]);
    expect(anns.stdout).toContain('"kind":"charge","amount":2.5,');
    expect((jsonOf(anns)['transfers'] as unknown[]).length).toBe(1);
    const csv = tirelire(['history', '--db', db.path, '--account-id', String(ann), '--csv']);
    expect(csv.status).toBe(0);
    const rows = csv.stdout.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'id,kind,amount,accountId,tokenSubaccount,debitAccountId,creditAccountId,mainBalanceAfter,subaccountBalanceAfter,reason,operator,idempotencyKey,createdAt',
    );
    expect(rows.slice(1).map((row) => row.split(',').slice(1, 3).join(','))).toEqual([
      'charge,2.500',
      'topup,10.000',
    ]);
  });

  it('with --json a refusal is one JSON object on stderr; code 22 names its parameter', () => {
    const db = fresh();
    const cursor = tirelire(['history', '--db', db.path, '--cursor', 'not-a-cursor', '--json']);
    expect(cursor.status).toBe(1);
    expect(cursor.stdout).toBe('');
    expect(JSON.parse(cursor.stderr)).toEqual({
      error: { code: 22, message: 'Invalid parameter (code 22, cursor)', param: 'cursor' },
    });
    const missing = tirelire(['account', 'show', '--db', db.path, '--email', 'nobody@example.com', '--json']);
    expect(JSON.parse(missing.stderr)).toEqual({
      error: { code: 30, message: 'Account not found (code 30)' },
    });
    const usage = tirelire(['account', 'show', '--db', db.path, '--json']);
    expect(usage.status).toBe(2);
    expect(JSON.parse(usage.stderr)).toEqual({
      error: { message: 'account show needs --email or --account-id' },
    });
    const unknown = tirelire(['history', '--bogus', '--json']);
    expect(unknown.status).toBe(2);
    expect(JSON.parse(unknown.stderr)).toEqual({ error: { message: "unknown option '--bogus'" } });
  });
});
