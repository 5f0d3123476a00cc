import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { assertBuilt, jsonOf, tempDatabase, tirelire, type TempDatabase } from '../helpers/cli-harness.js';

let db: TempDatabase;
beforeAll(assertBuilt);
beforeEach(() => {
  db = tempDatabase();
});
afterEach(() => db.remove());

const run = (...args: string[]) => tirelire([...args, '--db', db.path]);

function seed(): number {
  const created = jsonOf(run('account', 'create', '--email', 'ivy@example.com', '--credit', '50', '--json'));
  expect(run('account', 'create', '--email', 'jo@example.com', '--credit', '7').status).toBe(0);
  expect(run('account', 'charge', '--email', 'jo@example.com', '--credit', '2').status).toBe(0);
  return created['accountId'] as number;
}

/** What a bug or a hand edit could do: a balance that no longer matches its transfers. */
function tamper(accountId: number): void {
  const sqlite = new Database(db.path);
  try {
    sqlite.prepare('UPDATE accounts SET balance = balance + 1 WHERE id = ?').run(accountId);
  } finally {
    sqlite.close();
  }
}

describe('tirelire verify', () => {
  it('passes on a healthy store, with exact totals', () => {
    seed();
    const result = run('verify', '--json');
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(jsonOf(result)).toMatchObject({ ok: true, accounts: 3, transfers: 3, problems: [] });
    expect(result.stdout).toContain('"customerBalance":55,"funded":55');
    const human = run('verify');
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^ok: /);
  });

  it('fails and names the account whose balance row was tampered with', () => {
    const accountId = seed();
    tamper(accountId);
    const result = run('verify', '--json');
    expect(result.status).toBe(1);
    const report = jsonOf(result);
    expect(report['ok']).toBe(false);
    expect(report['problems']).toContainEqual(
      expect.objectContaining({ invariant: 4, accountId, email: 'ivy@example.com' }),
    );
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`account ${accountId} <ivy@example.com>`);
    const human = run('verify');
    expect(human.status).toBe(1);
    expect(human.stdout).toMatch(new RegExp(`invariant 4 .* account ${accountId} <ivy@example\\.com>`));
  });
});
