import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openAppOn, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { SeededMain, SeededSub, StoreApp } from '../helpers/http-fixture.js';
import {
  availableOrSkip,
  codeOf,
  requests,
  serverStores,
  SURFACE_TOKEN,
  type Requests,
} from '../helpers/surface.js';

/**
 * Holds over the operator API (contract section 9): place, capture in part
 * or whole, void, read, list; the available balance everywhere a /v1 client
 * looks; the check order; Idempotency-Key.
 */
interface HoldAnswer {
  hold: {
    id: string;
    accountId: number;
    tokenSubaccount: string | null;
    amount: string;
    captured: string;
    status: string;
  };
  account: { id: number; balance: string; held: string };
  transfer?: { kind: string; amount: string };
}

for (const factory of serverStores) {
  const available = await availableOrSkip(factory);

  describe.skipIf(!available)(`holds over HTTP: ${factory.name}`, () => {
    let fixture: StoreApp;
    let http: Requests;
    let alice: SeededMain;
    let bob: SeededMain;
    let sub: SeededSub;

    beforeAll(async () => {
      fixture = await openAppOn(factory, { adminToken: SURFACE_TOKEN });
      http = requests(fixture);
      alice = await seedMain(fixture.store, 'alice@example.com', '100');
      bob = await seedMain(fixture.store, 'bob@example.com', '10');
      sub = await seedSub(fixture.store, alice, 'sub@example.com', '20');
    });
    afterAll(() => fixture.remove());

    const place = (id: number, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      http.post(`/admin/v1/accounts/${id}/holds`, body, headers);
    const meBalance = async (apiKey: string) =>
      ((await http.get(`/v1/me?apiKey=${apiKey}`)).json() as { credits: { balance: string } }).credits
        .balance;
    const listBalance = async () =>
      (
        (await http.get(`/v1/subaccount/list?apiKey=${alice.apiKey}`)).json() as {
          data: { token: string; credits: { balance: string } }[];
        }
      ).data.find((item) => item.token === sub.token)!.credits.balance;

    test('a hold on a subaccount: available drops everywhere, the main account is the answer; capture in part', async () => {
      const placed = await place(alice.accountId, {
        credit: '5',
        tokenSubaccount: sub.token,
        reason: 'campaign 42',
      });
      expect(placed.statusCode).toBe(200);
      const body = placed.json() as HoldAnswer;
      expect(body.hold).toMatchObject({
        accountId: alice.accountId,
        tokenSubaccount: sub.token,
        amount: '5.000',
        captured: '0.000',
        status: 'pending',
        reason: 'campaign 42',
      });
      expect(body.hold.id).toMatch(/^hold_[A-Za-z0-9_-]{20,}$/);
      // The main account's held is its own holds only.
      expect(body.account).toMatchObject({ id: alice.accountId, balance: '80.000', held: '0.000' });
      expect(await listBalance()).toBe('15.000');
      const add = await http.post('/v1/subaccount/credit/remove', {
        apiKey: alice.apiKey,
        tokenSubaccount: sub.token,
        credit: '15.5',
      });
      expect(codeOf(add)).toBe(8);
      const captured = await http.post(`/admin/v1/holds/${body.hold.id}/capture`, { credit: '1.5' });
      const settled = captured.json() as HoldAnswer;
      expect(settled.hold).toMatchObject({ status: 'captured', captured: '1.500', amount: '5.000' });
      expect(settled.transfer).toMatchObject({ kind: 'charge', amount: '1.500' });
      expect(await listBalance()).toBe('18.500');
      expect(codeOf(await http.post(`/admin/v1/holds/${body.hold.id}/capture`))).toBe(34);
      expect(codeOf(await http.post(`/admin/v1/holds/${body.hold.id}/void`))).toBe(34);
      const read = await http.get(`/admin/v1/holds/${body.hold.id}`);
      expect(read.json()).toEqual({ success: true, code: 200, hold: settled.hold });
      expect((await fixture.store.verify()).ok).toBe(true);
    });

    test("a hold on a main account: /v1/me shows available, the account's held; void releases it all", async () => {
      const before = await meBalance(bob.apiKey);
      const placed = (
        await place(bob.accountId, { credit: '2.25', expiresIn: '604800' })
      ).json() as HoldAnswer;
      expect(placed.account).toMatchObject({ balance: before, held: '2.250' });
      expect(await meBalance(bob.apiKey)).toBe('7.750');
      const detail = (await http.get(`/admin/v1/accounts/${bob.accountId}`)).json() as {
        account: { held: string };
      };
      expect(detail.account.held).toBe('2.250');
      const voided = (await http.post(`/admin/v1/holds/${placed.hold.id}/void`)).json() as HoldAnswer;
      expect(voided.hold).toMatchObject({ status: 'voided', captured: '0.000' });
      expect(voided.transfer).toBeUndefined();
      expect(voided.account.held).toBe('0.000');
      expect(await meBalance(bob.apiKey)).toBe(before);
    });

    test('place: codes in order 29, 22, 2, 20, 5, 30, 7, 32, 6, 8; none moves anything', async () => {
      const poor = await seedSub(fixture.store, alice, 'poor@example.com', '1');
      const empty = await seedSub(fixture.store, alice, 'empty@example.com', null);
      const capped = await seedSub(fixture.store, alice, 'capped@example.com', '10');
      await http.post(`/admin/v1/accounts/${alice.accountId}/rules`, {
        tokenSubaccount: capped.token,
        spendingCap: { amount: '3', period: 'day' },
      });
      const before = await fixture.store.verify();
      const unauthorized = await fixture.app.inject({
        method: 'POST',
        url: `/admin/v1/accounts/${alice.accountId}/holds`,
        payload: { credit: '1' },
      });
      expect(codeOf(unauthorized)).toBe(29);
      const rows: [number | string, Record<string, unknown>, number][] = [
        [alice.accountId, { expiresIn: 0 }, 22],
        [alice.accountId, { credit: '1', expiresIn: 604801 }, 22],
        [alice.accountId, { credit: '1', expiresIn: 1.5 }, 22],
        [alice.accountId, { credit: '1', expiresIn: 'soon' }, 22],
        [alice.accountId, { credit: '1', tokenSubaccount: { token: 'x' } }, 22],
        ['abc', { credit: '1' }, 22],
        [alice.accountId, { reason: 'x'.repeat(501) }, 22],
        [alice.accountId, { reason: 'x' }, 2],
        [alice.accountId, { credit: '1e2' }, 20],
        [alice.accountId, { credit: '0' }, 5],
        [999999, { credit: '1', tokenSubaccount: 'f'.repeat(200) }, 30],
        [alice.accountId, { credit: '1', tokenSubaccount: 'f'.repeat(200) }, 7],
        [alice.accountId, { credit: '1', tokenSubaccount: bob.apiKey }, 7],
        [bob.accountId, { credit: '1', tokenSubaccount: sub.token }, 7],
        [alice.accountId, { credit: '3.5', tokenSubaccount: capped.token }, 32],
        [alice.accountId, { credit: '1', tokenSubaccount: empty.token }, 6],
        [alice.accountId, { credit: '1.01', tokenSubaccount: poor.token }, 8],
      ];
      for (const [id, body, code] of rows) {
        const answer = await place(id as number, body);
        expect(codeOf(answer), `${id} ${JSON.stringify(body)}`).toBe(code);
      }
      const after = await fixture.store.verify();
      expect([after.ok, after.transfers]).toEqual([true, before.transfers]);
    });

    test('capture and void: 20, 5, 33, 34, 35; the default capture is the whole hold', async () => {
      const { hold } = (
        await place(alice.accountId, { credit: '4', tokenSubaccount: sub.token })
      ).json() as HoldAnswer;
      const capture = (id: string, body?: Record<string, unknown>) =>
        http.post(`/admin/v1/holds/${id}/capture`, body);
      expect(codeOf(await capture(hold.id, { credit: 'abc' }))).toBe(20);
      expect(codeOf(await capture('hold_unknown', { credit: '-1' }))).toBe(5);
      expect(codeOf(await capture('hold_unknown'))).toBe(33);
      expect(codeOf(await capture('not-a-hold'))).toBe(33);
      expect(codeOf(await http.get('/admin/v1/holds/hold_unknown'))).toBe(33);
      expect(codeOf(await capture(hold.id, { credit: '4.000001' }))).toBe(35);
      const whole = (await capture(hold.id)).json() as HoldAnswer;
      expect(whole.hold).toMatchObject({ status: 'captured', captured: '4.000' });
      expect(whole.transfer).toMatchObject({ kind: 'charge', amount: '4.000' });
      expect(codeOf(await capture(hold.id))).toBe(34);
    });

    test('Idempotency-Key on place and capture: one hold, one charge, the same bytes again', async () => {
      const headers = { 'idempotency-key': 'place-once' };
      const body = { credit: '1', tokenSubaccount: sub.token };
      const first = await place(alice.accountId, body, headers);
      const again = await place(alice.accountId, body, headers);
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(codeOf(await place(alice.accountId, { ...body, credit: '2' }, headers))).toBe(24);
      const { hold } = first.json() as HoldAnswer;
      const capture = () =>
        http.post(`/admin/v1/holds/${hold.id}/capture`, { credit: '0.5' }, { 'idempotency-key': 'cap' });
      const captured = await capture();
      const transfers = (await fixture.store.verify()).transfers;
      expect((await capture()).body).toBe(captured.body);
      expect((await fixture.store.verify()).transfers).toBe(transfers);
      const list = (await http.get(`/admin/v1/holds?accountId=${alice.accountId}&status=pending`)).json() as {
        data: { id: string }[];
      };
      expect(list.data.map((item) => item.id)).not.toContain(hold.id);
    });

    test('list: the whole tree, newest first, by status, in cursor pages; 22 and 30', async () => {
      const tree = await seedMain(fixture.store, 'tree@example.com', '50');
      const child = await seedSub(fixture.store, tree, 'tree-sub@example.com', '10');
      const ids: string[] = [];
      for (const body of [{ credit: '1' }, { credit: '2', tokenSubaccount: child.token }, { credit: '3' }]) {
        ids.push(((await place(tree.accountId, body)).json() as HoldAnswer).hold.id);
      }
      await http.post(`/admin/v1/holds/${ids[0]}/void`);
      const page = (query: string) =>
        http.get(`/admin/v1/holds?accountId=${tree.accountId}${query}`).then(
          (answer) =>
            answer.json() as {
              data: { id: string; status: string }[];
              nextCursor: string | null;
            },
        );
      expect((await page('')).data.map((item) => item.id)).toEqual([...ids].reverse());
      expect((await page('&status=pending')).data.map((item) => item.id)).toEqual([ids[2], ids[1]]);
      expect((await page('&status=voided')).data.map((item) => item.id)).toEqual([ids[0]]);
      const first = await page('&limit=2');
      expect(first.data).toHaveLength(2);
      const second = await page(`&limit=2&cursor=${first.nextCursor!}`);
      expect(second).toMatchObject({ data: [{ id: ids[0] }], nextCursor: null });
      expect(codeOf(await http.get('/admin/v1/holds'))).toBe(22);
      expect(codeOf(await http.get(`/admin/v1/holds?accountId=${tree.accountId}&status=open`))).toBe(22);
      expect(codeOf(await http.get(`/admin/v1/holds?accountId=${tree.accountId}&limit=1001`))).toBe(22);
      expect(codeOf(await http.get('/admin/v1/holds?accountId=999999'))).toBe(30);
    });
  });
}
