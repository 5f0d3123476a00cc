import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TirelireAdminClient, TirelireClient, type Result } from 'tirelire-client';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { freshSchema, POSTGRES_URL } from '../helpers/postgres-factory.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

/**
 * The SDK against the real server process, on each store: the whole life of
 * a reseller (CONTRACT.md sections 2 and 4) driven only through the client,
 * then `tirelire verify` on the same database.
 */
const ADMIN_TOKEN = 'sdk-scenario-operator-token';
const CLI = fileURLToPath(new URL('../../bin/tirelire.js', import.meta.url));
const postgres = await postgresReachable(POSTGRES_URL);
if (!postgres && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

interface StoreSetup {
  readonly name: string;
  readonly available: boolean;
  setUp(): { databaseUrl: string; tearDown(): Promise<void> };
}

const STORES: StoreSetup[] = [
  {
    name: 'sqlite',
    available: true,
    setUp() {
      const dir = mkdtempSync(join(tmpdir(), 'tirelire-sdk-'));
      return {
        databaseUrl: join(dir, 'tirelire.db'),
        tearDown: async () => rmSync(dir, { recursive: true }),
      };
    },
  },
  {
    name: 'postgres',
    available: postgres,
    setUp() {
      const schema = freshSchema();
      const url = new URL(POSTGRES_URL);
      url.searchParams.set('schema', schema);
      return { databaseUrl: url.toString(), tearDown: () => dropPostgresSchema(POSTGRES_URL, schema) };
    },
  },
];

/** Narrows a result to its success, failing the test with the refusal otherwise. */
function okOf<R extends Result<never, unknown> | { ok: boolean }>(result: R): Extract<R, { ok: true }> {
  if (!result.ok) expect.fail(`expected success, got ${JSON.stringify(result)}`);
  return result as Extract<R, { ok: true }>;
}

describe.each(STORES)('SDK scenario on $name', (setup) => {
  let server: ServerProcess;
  let database: ReturnType<StoreSetup['setUp']>;
  let admin: TirelireAdminClient;

  beforeAll(async () => {
    if (!setup.available) return;
    database = setup.setUp();
    server = await startServerProcess({
      databaseUrl: database.databaseUrl,
      env: { TIRELIRE_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    admin = new TirelireAdminClient({ baseUrl: server.url, token: ADMIN_TOKEN, operator: 'sdk-test' });
  });

  afterAll(async () => {
    if (!setup.available) return;
    await server?.stop();
    await database?.tearDown();
  });

  test.skipIf(!setup.available)('create, add, remove, history, charge usage, verify', async () => {
    const created = okOf(
      await admin.createAccount({ email: 'agency@example.com', credit: '1000.5', reason: 'paid' }),
    );
    expect(created.account.balance).toBe('1000.500');
    const accountId = created.account.id;
    const client = new TirelireClient({ baseUrl: server.url, apiKey: created.apiKey, language: 'en' });

    const simple = okOf(await client.createSubaccount({ parameters: { email: 'shop@example.com' } }));
    const advanced = okOf(
      await client.createSubaccount({
        type: 'advanced',
        parameters: { email: 'pro@example.com', creditToAttribute: '10' },
      }),
    );
    expect(advanced.subaccount.apiKey).toMatch(/\S{16,}/);
    expect(advanced.transferId).toEqual(expect.any(String));

    // Exact money both ways: 0.1 + 0.2 is 0.3, and balances come back as exact text.
    okOf(await client.addCredit({ tokenSubaccount: simple.subaccount.token, credit: '0.1' }));
    const added = okOf(await client.addCredit({ tokenSubaccount: simple.subaccount.token, credit: '0.2' }));
    expect(added).toMatchObject({ code: 200, credit: '990.2', subaccountCredit: '0.3', currency: 'EUR' });
    expect(added.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    const removed = okOf(
      await client.removeCredit({ tokenSubaccount: simple.subaccount.token, credit: '0.05' }),
    );
    expect(removed).toMatchObject({ credit: '990.25', subaccountCredit: '0.25' });

    // A refusal is a value typed by its code, with the server's message.
    const refused = await client.removeCredit({ tokenSubaccount: simple.subaccount.token, credit: '5' });
    expect(refused).toMatchObject({ ok: false, code: 8, status: 422, message: 'Insufficient credit' });
    const unknown = await client.addCredit({ tokenSubaccount: 'no-such-token', credit: '1' });
    expect(unknown).toMatchObject({ ok: false, code: 7, status: 404 });

    const batch = okOf(
      await client.batchCredit({
        operations: [
          { direction: 'add', tokenSubaccount: advanced.subaccount.token, credit: '1.000001' },
          { direction: 'remove', tokenSubaccount: simple.subaccount.token, credit: '0.25' },
        ],
      }),
    );
    expect(batch.results.map((result) => result.code)).toEqual([200, 200]);
    expect(batch.results[0]).toMatchObject({ subaccountCredit: '11.000001' });
    expect(batch.credit).toBe('989.499999');

    const list = okOf(await client.listSubaccounts());
    expect(list.total).toBe(2);
    expect(list.data.map((item) => [item.token, item.credits.balance]).sort()).toEqual(
      [
        [simple.subaccount.token, '0.000'],
        [advanced.subaccount.token, '11.000001'],
      ].sort(),
    );
    expect(okOf(await client.me()).credits.balance).toBe('989.499999');

    // The operator charges what the advanced subaccount consumed.
    const charged = okOf(
      await admin.charge(accountId, {
        credit: '0.75',
        reason: 'sms usage',
        tokenSubaccount: advanced.subaccount.token,
      }),
    );
    expect(charged.transfer).toMatchObject({ kind: 'charge', amount: '0.750', operator: 'sdk-test' });
    expect(charged.transfer.subaccountBalanceAfter).toBe('10.250001');
    const overCharge = await admin.charge(accountId, { credit: '1000000' });
    expect(overCharge).toMatchObject({ ok: false, code: 8 });

    // History, newest first, in cursor pages: the charge, the batch's two moves, ...
    const first = okOf(await client.listTransfers({ limit: 2 }));
    expect(first.data.map((transfer) => transfer.direction)).toEqual(['charge', 'remove']);
    expect(first.data[0]).toMatchObject({ amount: '0.75', subaccountCredit: '10.250001' });
    expect(first.nextCursor).not.toBeNull();
    const rest = okOf(await client.listTransfers({ cursor: first.nextCursor! }));
    const all = [...first.data, ...rest.data];
    expect(all).toHaveLength(8); // opening top-up, creditToAttribute, 2 adds, 1 remove, 2 batch moves, charge
    expect(rest.nextCursor).toBeNull();
    const one = okOf(await client.getTransfer(added.transferId));
    expect(one.transfer).toMatchObject({
      id: added.transferId,
      amount: '0.2',
      credit: '990.2',
      subaccountCredit: '0.3',
    });
    expect(await client.getTransfer('00000000-0000-4000-8000-000000000000')).toMatchObject({
      ok: false,
      code: 27,
    });
    const csv = okOf(await client.exportTransfersCsv({ tokenSubaccount: simple.subaccount.token }));
    expect(csv.csv).toContain(added.transferId);
    expect(csv.csv.split('\r\n')[0]).toMatch(/^id,direction,/);

    const operatorView = okOf(await admin.listTransfers({ accountId }));
    expect(operatorView.data.map((transfer) => transfer.id).sort()).toEqual(
      all.map((transfer) => transfer.id).sort(),
    );
    expect(okOf(await admin.exportTransfersCsv({ accountId, kind: 'charge' })).csv).toContain('sms usage');
    const listed = okOf(await admin.listAccounts({ search: 'agency@' }));
    expect(listed.data.map((account) => account.id)).toEqual([accountId]);
    const detail = okOf(await admin.getAccount(accountId));
    expect(detail.account).toMatchObject({ balance: '989.499999', subaccountCount: 2 });
    expect(okOf(await admin.topUp(accountId, { credit: '0.000001' })).account.balance).toBe('989.500');

    // Suspend, resume, rotate: the account key follows the operator's actions.
    okOf(await admin.suspend(accountId));
    expect(await client.me()).toMatchObject({ ok: false, code: 4, status: 403 });
    okOf(await admin.resume(accountId));
    okOf(await client.me());
    const rotated = okOf(await admin.rotateKey(accountId));
    expect(await client.me()).toMatchObject({ ok: false, code: 10 });
    const renewed = new TirelireClient({ baseUrl: server.url, apiKey: rotated.apiKey });
    expect(okOf(await renewed.me()).credits.balance).toBe('989.500');
    expect(await admin.getAccount(999_999)).toMatchObject({ ok: false, code: 30 });
    expect(
      await new TirelireAdminClient({ baseUrl: server.url, token: 'wrong' }).listAccounts(),
    ).toMatchObject({ ok: false, code: 29, status: 401 });

    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI,
      'verify',
      '--json',
      '--db',
      database.databaseUrl,
    ]);
    const report = JSON.parse(stdout) as {
      ok: boolean;
      transfers: number;
      customerBalance: unknown;
      funded: unknown;
    };
    expect(report).toMatchObject({ ok: true, transfers: 9 });
    expect(report.customerBalance).toEqual(report.funded);
  });

  test.skipIf(!setup.available)('a retried call with its key moves money once', async () => {
    const created = okOf(await admin.createAccount({ email: 'retry@example.com', credit: '5' }));
    const client = new TirelireClient({ baseUrl: server.url, apiKey: created.apiKey });
    const sub = okOf(await client.createSubaccount());
    const key = `scenario-${setup.name}-retry`;
    const first = okOf(
      await client.addCredit({ tokenSubaccount: sub.subaccount.token, credit: '1' }, { idempotencyKey: key }),
    );
    const again = okOf(
      await client.addCredit({ tokenSubaccount: sub.subaccount.token, credit: '1' }, { idempotencyKey: key }),
    );
    expect(again).toMatchObject({ replayed: true, transferId: first.transferId, credit: '4' });
    expect(first.replayed).toBe(false);
    const other = await client.addCredit(
      { tokenSubaccount: sub.subaccount.token, credit: '2' },
      { idempotencyKey: key },
    );
    expect(other).toMatchObject({ ok: false, code: 24, status: 409 });
    expect(okOf(await client.me()).credits.balance).toBe('4.000');
  });
});
