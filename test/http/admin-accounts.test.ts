import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openApp, seedMain, seedSub, type AppFixture } from '../helpers/http-fixture.js';
import { adminClient, ADMIN_TOKEN, ledgerSnapshot, type AdminClient } from '../helpers/admin.js';

let fixture: AppFixture;
let admin: AdminClient;

beforeEach(async () => {
  fixture = await openApp({ adminToken: ADMIN_TOKEN });
  admin = adminClient(fixture);
});
afterEach(() => fixture.remove());

const en = { 'accept-language': 'en' };

async function createAccount(email: string, credit?: string) {
  const response = await admin.post('/accounts', credit === undefined ? { email } : { email, credit });
  expect(response.statusCode).toBe(200);
  return response.json() as {
    account: { id: number; balance: string; status: string };
    apiKey: string;
    transferId: string | null;
  };
}

function me(apiKey: string) {
  return fixture.app.inject({ url: '/v1/me', headers: { 'x-api-key': apiKey } });
}

describe('POST /accounts', () => {
  it('creates a main account whose key, shown once, works on /v1/me', async () => {
    const response = await admin.post('/accounts', {
      email: 'alice@example.com',
      credit: '12.5',
      reason: 'contract 7',
    });
    const body = response.json();
    expect(body).toMatchObject({
      success: true,
      code: 200,
      account: {
        email: 'alice@example.com',
        status: 'active',
        balance: '12.500',
        subaccountCount: 0,
      },
    });
    expect(body.account.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(body.apiKey).toMatch(/^tl_[A-Za-z0-9_-]{43}$/);
    const profile = await me(body.apiKey);
    expect(profile.json()).toMatchObject({ code: 200, credits: { balance: '12.500' } });
    const transfer = await fixture.store.getTransfer(body.transferId);
    expect(transfer).toMatchObject({ kind: 'topup', reason: 'contract 7', operator: 'alice' });
    // The key is shown this once: neither the account view nor the list carries it.
    const got = await admin.get(`/accounts/${body.account.id}`);
    expect(got.body).not.toContain(body.apiKey);
    expect((await admin.get('/accounts')).body).not.toContain(body.apiKey);
  });

  it('opens without credit and without an opening transfer', async () => {
    const body = await createAccount('empty@example.com');
    expect(body.transferId).toBeNull();
    expect(body.account.balance).toBe('0.000');
    expect((await ledgerSnapshot(fixture)).transfers).toBe(0);
  });

  it.each([
    ['no email', { credit: '1' }, 22],
    ['a malformed email', { email: 'not-an-email' }, 22],
    ['an email as a number', { email: 12 }, 22],
    ['an invalid amount', { email: 'x@example.com', credit: '1e3' }, 20],
    ['too many decimals', { email: 'x@example.com', credit: '0.0000001' }, 20],
    ['a negative amount', { email: 'x@example.com', credit: '-1' }, 5],
    ['a reason too long', { email: 'x@example.com', reason: 'r'.repeat(501) }, 22],
    ['the email of an existing account', { email: 'taken@example.com' }, 23],
  ])('refuses %s and changes nothing', async (_name, body, code) => {
    await seedMain(fixture.store, 'taken@example.com', '1');
    const before = await ledgerSnapshot(fixture);
    const response = await admin.post('/accounts', body, en);
    expect(response.json()).toMatchObject({ success: false, code });
    expect(response.statusCode).toBe(code === 23 ? 409 : 400);
    expect(await ledgerSnapshot(fixture)).toEqual(before);
  });

  it('refuses a malformed X-Operator before anything happens', async () => {
    const before = await ledgerSnapshot(fixture);
    for (const operator of ['x'.repeat(65), '   ', 'tab\there']) {
      const response = await admin.post('/accounts', { email: 'x@example.com' }, { 'x-operator': operator });
      expect(response.json()).toMatchObject({ code: 22 });
    }
    expect(await ledgerSnapshot(fixture)).toEqual(before);
  });

  it('records "operator" when no X-Operator is sent', async () => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/admin/v1/accounts',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      payload: { email: 'anon@example.com', credit: '1' },
    });
    const transfer = await fixture.store.getTransfer(response.json().transferId);
    expect(transfer?.operator).toBe('operator');
  });
});

describe('GET /accounts', () => {
  it('lists newest first, searches case-insensitively and walks every page with the cursor', async () => {
    const emails: string[] = [];
    for (let i = 0; i < 7; i++) emails.push((await createAccount(`Shop${i}@Example.com`)).account.id + '');
    await createAccount('other@elsewhere.org');
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/accounts?search=example.COM&limit=3${cursor === null ? '' : `&cursor=${cursor}`}`;
      const body = (await admin.get(url)).json();
      expect(body.data.length).toBeLessThanOrEqual(3);
      seen.push(...body.data.map((account: { id: number }) => String(account.id)));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual([...emails].reverse());
  });

  it('treats % and _ in a search as text', async () => {
    await createAccount('a_b@example.com');
    await createAccount('axb@example.com');
    const body = (await admin.get('/accounts?search=a_b')).json();
    expect(body.data.map((account: { email: string }) => account.email)).toEqual(['a_b@example.com']);
    expect((await admin.get('/accounts?search=%25')).json().data).toEqual([]);
  });

  it('counts subaccounts', async () => {
    const main = await seedMain(fixture.store, 'parent@example.com', '5');
    await seedSub(fixture.store, main, 's1@example.com', '1');
    await seedSub(fixture.store, main, 's2@example.com', null);
    const body = (await admin.get('/accounts?search=parent')).json();
    expect(body.data).toEqual([
      expect.objectContaining({ id: main.accountId, subaccountCount: 2, balance: '4.000' }),
    ]);
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'cursor=abc', 'cursor=-1', `search=${'x'.repeat(255)}`])(
    'answers 22 for %s',
    async (query) => {
      const response = await admin.get(`/accounts?${query}`, en);
      expect(response.statusCode).toBe(400);
      const param = query.split('=')[0];
      expect(response.json()).toEqual({ success: false, code: 22, message: 'Invalid parameter', param });
    },
  );
});

describe('GET /accounts/:id', () => {
  it('shows the account with its subaccounts and exact balances', async () => {
    const main = await seedMain(fixture.store, 'owner@example.com', '10');
    const sub = await seedSub(fixture.store, main, 'kid@example.com', '0.8', 'advanced');
    const body = (await admin.get(`/accounts/${main.accountId}`)).json();
    expect(body).toMatchObject({
      success: true,
      account: { id: main.accountId, email: 'owner@example.com', balance: '9.200', subaccountCount: 1 },
      subaccounts: [{ email: 'kid@example.com', token: sub.token, type: 'advanced', balance: '0.800' }],
    });
  });

  it('answers 30 for an unknown account or a subaccount id, and 22 for a malformed id', async () => {
    const main = await seedMain(fixture.store, 'owner@example.com', '10');
    await seedSub(fixture.store, main, 'kid@example.com', null);
    const subId = main.accountId + 1;
    expect((await admin.get('/accounts/999999', en)).json()).toEqual({
      success: false,
      code: 30,
      message: 'Account not found',
    });
    expect((await admin.get(`/accounts/${subId}`)).json().code).toBe(30);
    expect((await admin.get('/accounts/1')).json().code).toBe(30); // the funding account
    expect((await admin.get('/accounts/abc')).json().code).toBe(22);
    expect((await admin.get('/accounts/99999999999999999')).json().code).toBe(22);
  });
});

describe('top up and charge', () => {
  it('tops up with the reason and operator kept on the transfer', async () => {
    const { account } = await createAccount('buyer@example.com', '1');
    const response = await admin.post(`/accounts/${account.id}/topup`, {
      credit: '0.1',
      reason: 'invoice 12',
    });
    const body = response.json();
    expect(body).toMatchObject({
      success: true,
      account: { id: account.id, balance: '1.100' },
      transfer: {
        kind: 'topup',
        amount: '0.100',
        accountId: account.id,
        tokenSubaccount: null,
        creditAccountId: account.id,
        mainBalanceAfter: '1.100',
        subaccountBalanceAfter: null,
        reason: 'invoice 12',
        operator: 'alice',
        idempotencyKey: null,
      },
    });
    // A JSON number keeps its exact text.
    const exact = await fixture.app.inject({
      method: 'POST',
      url: `/admin/v1/accounts/${account.id}/topup`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      payload: '{"credit":0.2}',
    });
    expect(exact.json().account.balance).toBe('1.300');
    expect((await fixture.store.verify()).ok).toBe(true);
  });

  it('charges the main account, or a subaccount by its token', async () => {
    const main = await seedMain(fixture.store, 'user@example.com', '10');
    const sub = await seedSub(fixture.store, main, 'kid@example.com', '2');
    const mainCharge = (
      await admin.post(`/accounts/${main.accountId}/charge`, { credit: '3', reason: 'sms' })
    ).json();
    expect(mainCharge).toMatchObject({
      account: { balance: '5.000' },
      transfer: {
        kind: 'charge',
        amount: '3.000',
        debitAccountId: main.accountId,
        mainBalanceAfter: '5.000',
      },
    });
    const subCharge = (
      await admin.post(`/accounts/${main.accountId}/charge`, { credit: '0.5', tokenSubaccount: sub.token })
    ).json();
    expect(subCharge).toMatchObject({
      account: { id: main.accountId, balance: '5.000' },
      transfer: {
        kind: 'charge',
        accountId: main.accountId,
        tokenSubaccount: sub.token,
        mainBalanceAfter: null,
        subaccountBalanceAfter: '1.500',
        operator: 'alice',
      },
    });
    const report = await fixture.store.verify();
    expect(report).toMatchObject({ ok: true, customerBalanceMicros: 6_500_000n });
  });

  it.each([
    ['charge', { credit: '1' }, 'empty subaccount', 6],
    ['charge', { credit: '10.000001' }, 'main short of credit', 8],
    ['charge', { credit: '2.000001' }, 'subaccount short of credit', 8],
    ['charge', { credit: '1' }, "another owner's token", 7],
    ['charge', { credit: '1', tokenSubaccount: 'no-such-token' }, 'unknown token', 7],
    ['charge', { credit: '1', tokenSubaccount: 'x'.repeat(101) }, 'token too long', 7],
    ['topup', {}, 'no credit', 2],
    ['topup', { credit: '1,5' }, 'a comma', 20],
    ['topup', { credit: 'x'.repeat(65) }, 'a huge amount text', 20],
    ['topup', { credit: true }, 'a boolean', 20],
    ['topup', { credit: '0' }, 'zero', 5],
    ['topup', { credit: '1', reason: ['x'] }, 'a reason that is no text', 22],
  ])('%s with %j (%s) answers %i and changes nothing', async (action, payload, name, code) => {
    const main = await seedMain(fixture.store, 'user@example.com', '10');
    const full = await seedSub(fixture.store, main, 'full@example.com', '2');
    const empty = await seedSub(fixture.store, main, 'empty@example.com', null);
    const other = await seedMain(fixture.store, 'other@example.com', '1');
    const foreign = await seedSub(fixture.store, other, 'foreign@example.com', null);
    const token = {
      'empty subaccount': empty.token,
      'subaccount short of credit': full.token,
      "another owner's token": foreign.token,
    }[name];
    const body = token === undefined ? payload : { ...payload, tokenSubaccount: token };
    const before = await ledgerSnapshot(fixture);
    const response = await admin.post(`/accounts/${main.accountId}/${action}`, body, en);
    expect(response.json()).toMatchObject({ success: false, code });
    expect(await ledgerSnapshot(fixture)).toEqual(before);
  });

  it('answers 30 for an unknown account and 22 for a malformed id, changing nothing', async () => {
    const before = await ledgerSnapshot(fixture);
    expect((await admin.post('/accounts/424242/topup', { credit: '1' })).json().code).toBe(30);
    expect((await admin.post('/accounts/424242/charge', { credit: '1' })).json().code).toBe(30);
    expect((await admin.post('/accounts/1/topup', { credit: '1' })).json().code).toBe(30);
    expect((await admin.post('/accounts/0/topup', { credit: '1' })).json().code).toBe(22);
    expect(await ledgerSnapshot(fixture)).toEqual(before);
  });
});

describe('suspend, resume, rotate-key', () => {
  it('a suspended key gets code 4 on credit/add until resumed', async () => {
    const main = await seedMain(fixture.store, 'user@example.com', '10');
    const sub = await seedSub(fixture.store, main, 'kid@example.com', null);
    const add = () =>
      fixture.app.inject({
        method: 'POST',
        url: '/v1/subaccount/credit/add',
        payload: { apiKey: main.apiKey, credit: '1', tokenSubaccount: sub.token },
      });
    const suspended = (await admin.post(`/accounts/${main.accountId}/suspend`)).json();
    expect(suspended).toMatchObject({ success: true, account: { status: 'suspended', subaccountCount: 1 } });
    expect((await add()).json()).toMatchObject({ success: false, code: 4 });
    // Suspending twice keeps it suspended.
    expect((await admin.post(`/accounts/${main.accountId}/suspend`)).json().account.status).toBe('suspended');
    expect((await admin.post(`/accounts/${main.accountId}/resume`)).json().account.status).toBe('active');
    expect((await add()).json()).toMatchObject({ success: true, code: 200 });
  });

  it('rotate-key refuses the old key at once and the new one works', async () => {
    const main = await seedMain(fixture.store, 'user@example.com', '10');
    const body = (await admin.post(`/accounts/${main.accountId}/rotate-key`)).json();
    expect(body).toMatchObject({ success: true, account: { id: main.accountId } });
    expect(body.apiKey).toMatch(/^tl_/);
    expect((await me(main.apiKey)).json().code).toBe(10);
    expect((await me(body.apiKey)).json()).toMatchObject({
      code: 200,
      user: { username: 'user@example.com' },
    });
  });

  it('keeps each action with the operator and the reason, shown newest first on GET /accounts/:id', async () => {
    const main = await seedMain(fixture.store, 'user@example.com', '10');
    const bob = { 'x-operator': 'bob' };
    await admin.post(`/accounts/${main.accountId}/suspend`, { reason: 'unpaid invoice 12' });
    await admin.post(`/accounts/${main.accountId}/resume`, undefined, bob);
    await admin.post(`/accounts/${main.accountId}/rotate-key`, { reason: 'key leaked' }, bob);
    const detail = (await admin.get(`/accounts/${main.accountId}`)).json();
    expect(
      detail.actions.map((a: { action: string; operator: string; reason: string | null }) => [
        a.action,
        a.operator,
        a.reason,
      ]),
    ).toEqual([
      ['rotate-key', 'bob', 'key leaked'],
      ['resume', 'bob', null],
      ['suspend', 'alice', 'unpaid invoice 12'],
    ]);
    expect(detail.actions[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Number.isInteger(detail.actions[0].id)).toBe(true);
    // Another account's trail is its own.
    const other = await seedMain(fixture.store, 'other@example.com', '1');
    expect((await admin.get(`/accounts/${other.accountId}`)).json().actions).toEqual([]);
  });

  it.each(['suspend', 'resume', 'rotate-key'])(
    '%s refuses a bad reason with 22 and changes nothing',
    async (action) => {
      const main = await seedMain(fixture.store, 'user@example.com', '10');
      for (const reason of [['a list'], 'x'.repeat(501)]) {
        const response = await admin.post(`/accounts/${main.accountId}/${action}`, { reason });
        expect(response.json()).toMatchObject({ success: false, code: 22 });
      }
      expect((await me(main.apiKey)).json()).toMatchObject({ code: 200 });
      expect(await fixture.store.listOperatorActions(main.accountId, 100)).toEqual([]);
    },
  );

  it.each(['suspend', 'resume', 'rotate-key'])('%s answers 30 for an unknown account', async (action) => {
    const response = await admin.post(`/accounts/777/${action}`, undefined, en);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ success: false, code: 30, message: 'Account not found' });
  });
});
