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
import { seedSub } from '../helpers/fixtures.js';

/** `tirelire account rules show|set` and `tirelire hold place|capture|void|list`, the built command. */
let db: TempDatabase;
beforeAll(assertBuilt);
beforeEach(() => {
  db = tempDatabase();
});
afterEach(() => db.remove());

/** One command line (arguments without spaces), with --json. */
const run = (line: string): CliRun => tirelire([...line.split(' '), '--json', '--db', db.path]);

function ok(line: string): Record<string, unknown> {
  const result = run(line);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return jsonOf(result);
}

function refused(code: number, line: string): void {
  const result = run(line);
  expect([result.status, result.stdout], line).toEqual([1, '']);
  expect(result.stderr).toContain(`(code ${code})`);
}

function createMain(email: string, credit: string) {
  return ok(`account create --email ${email} --credit ${credit}`) as {
    accountId: number;
    apiKey: string;
    email: string;
  };
}

describe('tirelire account rules', () => {
  it('sets, shows and removes rules; money as exact JSON numbers', () => {
    createMain('rules@example.com', '10');
    const set = run(
      'account rules set --email rules@example.com --low-balance 2.5 --cap 7.000001 --cap-period month',
    );
    expect(set.status).toBe(0);
    expect(set.stdout).toContain(
      '"rules":{"lowBalance":2.5,"autoTopup":null,"spendingCap":{"amount":7.000001,"period":"month"}}',
    );
    expect(run('account rules show --email rules@example.com').stdout).toBe(set.stdout);
    const human = tirelire(['account', 'rules', 'show', '--email', 'rules@example.com', '--db', db.path]);
    expect(human.stdout).toContain('spending cap: 7.000001 EUR per month');
    expect(ok('account rules set --email rules@example.com --no-low-balance --no-cap')).toMatchObject({
      rules: { lowBalance: null, autoTopup: null, spendingCap: null },
    });
  });

  it("reads and sets a subaccount's rules, automatic top-up included", async () => {
    const main = createMain('tree@example.com', '10');
    const sub = await db.withStore((store) =>
      seedSub(store, { ...main, keyHash: hashApiKey(main.apiKey) }, '1'),
    );
    const target = `--email tree@example.com --token ${sub.token}`;
    expect(ok(`account rules set ${target} --topup-below 1 --topup-add 2`)).toMatchObject({
      accountId: main.accountId,
      tokenSubaccount: sub.token,
      rules: { autoTopup: { below: 1, add: 2 } },
    });
    expect(ok(`hold place ${target} --credit 0.5`)).toMatchObject({
      tokenSubaccount: sub.token,
      amount: 0.5,
    });
    // The hold would have left 0.5 < 1: the automatic top-up of 2 came first.
    const balance = await db.withStore(async (store) => (await store.findSubaccountByToken(sub.token))!);
    expect([balance.balanceMicros, balance.heldMicros]).toEqual([3_000_000n, 500_000n]);
    refused(22, `account rules set ${target} --topup-below 1 --no-topup`);
  });

  it('refuses with the codes of the API: 22 (top-up of a main account, bad period), 20, 30, 7', () => {
    createMain('codes@example.com', '0');
    refused(22, 'account rules set --email codes@example.com --topup-below 1 --topup-to 2');
    refused(22, 'account rules set --email codes@example.com --cap 1 --cap-period week');
    refused(20, 'account rules set --email codes@example.com --low-balance 1e3');
    refused(30, 'account rules show --email nobody@example.com');
    refused(7, `account rules show --email codes@example.com --token ${'f'.repeat(32)}`);
  });
});

describe('tirelire hold', () => {
  it('places, lists, captures in part and voids; the ledger stays verified', async () => {
    const { accountId } = createMain('holds@example.com', '10');
    const placed = ok('hold place --email holds@example.com --credit 4 --reason sms-batch');
    expect(placed).toMatchObject({
      accountId,
      status: 'pending',
      reason: 'sms-batch',
      tokenSubaccount: null,
    });
    const holdId = placed['holdId'] as string;
    expect(holdId).toMatch(/^hold_/);
    const other = ok(`hold place --account-id ${accountId} --credit 5 --expires-in 60`)['holdId'] as string;
    refused(8, `hold place --account-id ${accountId} --credit 1.5`);
    const listed = ok('hold list --email holds@example.com --status pending');
    expect((listed['holds'] as { holdId: string }[]).map((hold) => hold.holdId)).toEqual([other, holdId]);
    const captured = run(`hold capture ${holdId} --credit 1.25`);
    expect(captured.stdout).toContain('"captured":1.25');
    expect(jsonOf(captured)).toMatchObject({ status: 'captured', transferId: expect.any(String) });
    refused(34, `hold capture ${holdId}`);
    refused(35, `hold capture ${other} --credit 5.01`);
    expect(ok(`hold void ${other}`)).toMatchObject({ status: 'voided', transferId: null });
    refused(33, 'hold void hold_nothing');
    refused(22, 'hold place --email holds@example.com --credit 1 --expires-in 0');
    const account = await db.withStore(async (store) => {
      expect((await store.verify()).ok).toBe(true);
      return (await store.getAccount(accountId))!;
    });
    expect([account.balanceMicros, account.heldMicros]).toEqual([8_750_000n, 0n]);
  });
});
