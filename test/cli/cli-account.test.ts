import { userInfo } from 'node:os';

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { hashApiKey } from '../../src/app/keys.js';
import {
  assertBuilt,
  jsonOf,
  tempDatabase,
  tirelire,
  type CliRun,
  type TempDatabase,
} from '../helpers/cli-harness.js';

let db: TempDatabase;
beforeAll(assertBuilt);
beforeEach(() => {
  db = tempDatabase();
});
afterEach(() => db.remove());

const run = (...args: string[]) => tirelire([...args, '--db', db.path]);

function create(email: string, ...extra: string[]): { accountId: number; apiKey: string; raw: CliRun } {
  const raw = run('account', 'create', '--email', email, '--json', ...extra);
  expect(raw.stderr).toBe('');
  expect(raw.status).toBe(0);
  const json = jsonOf(raw);
  return { accountId: json['accountId'] as number, apiKey: json['apiKey'] as string, raw };
}

/** Everything a refused command must leave untouched. */
const snapshot = () =>
  db.withStore(async (store) => {
    const report = await store.verify();
    return { transfers: report.transfers, accounts: report.accounts, funded: report.fundedMicros };
  });

function expectOneErrorLine(result: CliRun, pattern: RegExp): void {
  expect(result.status).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

describe('tirelire account create', () => {
  it('prints one JSON object whose key authenticates the new main account', async () => {
    const { accountId, apiKey, raw } = create('alice@example.com', '--credit', '12.5');
    expect(Object.keys(jsonOf(raw)).sort()).toEqual(['accountId', 'apiKey', 'credit', 'email']);
    expect(raw.stdout).toContain('"email":"alice@example.com"');
    expect(raw.stdout).toContain('"credit":12.5');
    const caller = await db.withStore((store) => store.authenticate(hashApiKey(apiKey)));
    expect(caller).toMatchObject({ accountId, kind: 'main', status: 'active', balanceMicros: 12_500_000n });
  });

  it('opens without credit and with a human-readable answer', async () => {
    const result = run('account', 'create', '--email', 'bob@example.com');
    expect(result.status).toBe(0);
    const key = /API key[^:]*: (tl_\S+)/.exec(result.stdout)?.[1];
    expect(key).toBeDefined();
    const caller = await db.withStore((store) => store.authenticate(hashApiKey(key!)));
    expect(caller?.balanceMicros).toBe(0n);
  });

  it.each([
    ['already used email', ['--email', 'dup@example.com'], /code 23/],
    ['malformed email', ['--email', 'not-an-email'], /code 22/],
    ['overlong email', ['--email', `${'a'.repeat(250)}@example.com`], /code 22/],
    ['exponent amount', ['--email', 'new@example.com', '--credit', '1e3'], /code 20/],
    ['negative amount', ['--email', 'new@example.com', '--credit', '-5'], /code 5/],
  ])('refuses a %s with one stderr line and creates nothing', async (_name, args, pattern) => {
    create('dup@example.com', '--credit', '1');
    const before = await snapshot();
    expectOneErrorLine(run('account', 'create', '--json', ...args), pattern);
    expect(await snapshot()).toEqual(before);
  });
});

describe('tirelire account topup and charge', () => {
  it('moves exact decimal amounts: 0.1 then 0.2 is 0.3', async () => {
    const { accountId } = create('carol@example.com');
    expect(run('account', 'topup', '--email', 'carol@example.com', '--credit', '0.1').status).toBe(0);
    const second = run('account', 'topup', '--email', 'carol@example.com', '--credit', '0.2', '--json');
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('"credit":0.3,');
    expect(jsonOf(second)).toMatchObject({ accountId });
    const account = await db.withStore((store) => store.getAccount(accountId));
    expect(account?.balanceMicros).toBe(300_000n);
  });

  it.each([
    ['1e3', /code 20/],
    ['0.1234567', /code 20/],
    ['1000000000.000001', /code 20/],
    ['abc', /code 20/],
    ['0', /code 5/],
    ['-1', /code 5/],
  ])('refuses amount %s, changing nothing', async (amount, pattern) => {
    create('dan@example.com', '--credit', '5');
    const before = await snapshot();
    const result = run('account', 'topup', '--email', 'dan@example.com', '--credit', amount, '--json');
    expectOneErrorLine(result, pattern);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an unknown account with code 30', () => {
    const result = run('account', 'topup', '--email', 'ghost@example.com', '--credit', '1');
    expectOneErrorLine(result, /Account not found \(code 30\)/);
  });

  it('charges usage back to the funding account, refusing more than the balance', async () => {
    const { accountId } = create('erin@example.com', '--credit', '10');
    const before = await snapshot();
    expectOneErrorLine(
      run('account', 'charge', '--email', 'erin@example.com', '--credit', '10.01'),
      /code 8/,
    );
    expect(await snapshot()).toEqual(before);
    const charged = run('account', 'charge', '--account-id', String(accountId), '--credit', '2.75', '--json');
    expect(charged.status).toBe(0);
    expect(charged.stdout).toContain('"credit":7.25,');
    const report = await db.withStore((store) => store.verify());
    expect(report).toMatchObject({ ok: true, fundedMicros: 7_250_000n, customerBalanceMicros: 7_250_000n });
  });

  it('records the operator and the reason on the transfer', async () => {
    create('fay@example.com');
    const args = ['account', 'topup', '--email', 'fay@example.com', '--credit', '3', '--json'];
    const named = jsonOf(run(...args, '--operator', 'olga', '--reason', 'invoice 42'));
    const byDefault = jsonOf(run(...args));
    await db.withStore(async (store) => {
      const first = await store.getTransfer(named['transferId'] as string);
      expect(first).toMatchObject({
        kind: 'topup',
        operator: 'olga',
        reason: 'invoice 42',
        amountMicros: 3_000_000n,
      });
      const second = await store.getTransfer(byDefault['transferId'] as string);
      expect(second).toMatchObject({ operator: userInfo().username, reason: null });
    });
  });
});

describe('tirelire account suspend, resume and rotate-key', () => {
  it('suspends and resumes the account', async () => {
    const { accountId, apiKey } = create('gus@example.com');
    const statusOf = () =>
      db.withStore(async (store) => (await store.authenticate(hashApiKey(apiKey)))?.status);
    const suspended = run('account', 'suspend', '--email', 'gus@example.com', '--json');
    expect(jsonOf(suspended)).toEqual({ accountId, status: 'suspended' });
    expect(await statusOf()).toBe('suspended');
    const resumed = run('account', 'resume', '--email', 'gus@example.com', '--json');
    expect(jsonOf(resumed)).toEqual({ accountId, status: 'active' });
    expect(await statusOf()).toBe('active');
  });

  it('keeps suspend, resume and rotate-key in the audit trail with --operator and --reason', async () => {
    const { accountId } = create('ida@example.com');
    const email = ['--email', 'ida@example.com'];
    run('account', 'suspend', ...email, '--operator', 'alice', '--reason', 'unpaid');
    run('account', 'resume', ...email);
    run('account', 'rotate-key', ...email, '--operator', 'bob', '--reason', 'leak');
    const actions = await db.withStore((store) => store.listOperatorActions(accountId, 100));
    expect(actions.map((a) => [a.action, a.operator, a.reason])).toEqual([
      ['rotate-key', 'bob', 'leak'],
      ['resume', userInfo().username, null],
      ['suspend', 'alice', 'unpaid'],
    ]);
  });

  it('refuses the old key as soon as a new one is issued', async () => {
    const { accountId, apiKey: oldKey } = create('hal@example.com');
    const rotated = jsonOf(run('account', 'rotate-key', '--email', 'hal@example.com', '--json'));
    const newKey = rotated['apiKey'] as string;
    expect(newKey).not.toBe(oldKey);
    await db.withStore(async (store) => {
      expect(await store.authenticate(hashApiKey(oldKey))).toBeNull();
      expect((await store.authenticate(hashApiKey(newKey)))?.accountId).toBe(accountId);
    });
  });
});

describe('tirelire store selection and usage errors', () => {
  it('reads DATABASE_URL, and --db overrides it', async () => {
    const other = tempDatabase();
    try {
      const env = { DATABASE_URL: `sqlite:${other.path}` };
      expect(tirelire(['account', 'create', '--email', 'env@example.com'], env).status).toBe(0);
      const args = ['account', 'create', '--email', 'flag@example.com', '--db', db.path];
      expect(tirelire(args, env).status).toBe(0);
      expect(
        await other.withStore((store) => store.findMainAccountByEmail('env@example.com')),
      ).not.toBeNull();
      expect(await other.withStore((store) => store.findMainAccountByEmail('flag@example.com'))).toBeNull();
      expect(await db.withStore((store) => store.findMainAccountByEmail('flag@example.com'))).not.toBeNull();
    } finally {
      other.remove();
    }
  });

  it('exits 2 with one line for a missing required option', () => {
    const result = run('account', 'topup', '--email', 'x@example.com');
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--credit');
  });
});
