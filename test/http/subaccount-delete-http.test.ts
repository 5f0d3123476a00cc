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
 * `/v1/subaccount/delete` (contract section 6) and the operator's close:
 * codes in order, the balance back as a `close` transfer, and what a closed
 * subaccount looks like afterwards from every door.
 */
for (const factory of serverStores) {
  const available = await availableOrSkip(factory);

  describe.skipIf(!available)(`subaccount delete: ${factory.name}`, () => {
    let fixture: StoreApp;
    let http: Requests;
    let alice: SeededMain;
    let bob: SeededMain;
    let bobSub: SeededSub;

    beforeAll(async () => {
      fixture = await openAppOn(factory, { adminToken: SURFACE_TOKEN });
      http = requests(fixture);
      alice = await seedMain(fixture.store, 'alice@example.com', '100');
      bob = await seedMain(fixture.store, 'bob@example.com', '100');
      bobSub = await seedSub(fixture.store, bob, 'bob-sub@example.com', '1');
    });
    afterAll(() => fixture.remove());

    const remove = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      http.post('/v1/subaccount/delete', body, headers);

    test('codes in order: 1, 3, 10, 4, 7, 36; none moves anything', async () => {
      const sub = await seedSub(fixture.store, alice, 'held@example.com', '10');
      const advanced = await seedSub(fixture.store, alice, 'adv@example.com', '1', 'advanced');
      const held = await http.post(`/admin/v1/accounts/${alice.accountId}/holds`, {
        credit: '1',
        tokenSubaccount: sub.token,
      });
      expect(codeOf(held)).toBe(200);
      const before = await fixture.store.verify();
      const cases: [Record<string, unknown>, number, number][] = [
        [{ tokenSubaccount: sub.token }, 1, 400],
        [{ apiKey: 'wrong', token: '' }, 3, 400],
        [{ apiKey: 'tl_wrong', tokenSubaccount: sub.token }, 10, 401],
        [{ apiKey: advanced.apiKey, tokenSubaccount: sub.token }, 4, 403],
        [{ apiKey: alice.apiKey, tokenSubaccount: 'f'.repeat(32) }, 7, 404],
        [{ apiKey: alice.apiKey, tokenSubaccount: bobSub.token }, 7, 404],
        [{ apiKey: alice.apiKey, tokenSubaccount: 'x'.repeat(101) }, 7, 404],
        [{ apiKey: alice.apiKey, tokenSubaccount: sub.token }, 36, 409],
      ];
      for (const [body, code, status] of cases) {
        const answer = await remove(body);
        expect([answer.statusCode, codeOf(answer)], JSON.stringify(body)).toEqual([status, code]);
      }
      const after = await fixture.store.verify();
      expect(after.transfers).toBe(before.transfers);
      expect(after.customerBalanceMicros).toBe(before.customerBalanceMicros);
    });

    test('the balance goes back as a close transfer; the token answers 7 everywhere after; history stays', async () => {
      const sub = await seedSub(fixture.store, alice, 'closing@example.com', '2.5');
      const me = await http.get(`/v1/me?apiKey=${alice.apiKey}`);
      const mainBefore = (me.json() as { credits: { balance: string } }).credits.balance;
      const listBefore = (await http.get(`/v1/subaccount/list?apiKey=${alice.apiKey}`)).json() as {
        total: number;
      };
      const answer = await remove({ apiKey: alice.apiKey, tokenSubaccount: sub.token });
      expect(answer.statusCode).toBe(200);
      const body = answer.json() as { transferId: string };
      const expected = (Number(mainBefore) + 2.5).toFixed(1).replace(/\.0$/, '');
      expect(answer.body).toBe(
        `{"success":true,"code":200,"credit":${expected},"transferId":"${body.transferId}"}`,
      );

      const closed = (await fixture.store.findSubaccountByToken(sub.token))!;
      expect(closed.balanceMicros).toBe(0n);
      expect(closed.closedAt).not.toBeNull();
      for (const route of ['add', 'remove']) {
        const moved = await http.post(`/v1/subaccount/credit/${route}`, {
          apiKey: alice.apiKey,
          tokenSubaccount: sub.token,
          credit: '1',
        });
        expect(codeOf(moved)).toBe(7);
      }
      expect(codeOf(await remove({ apiKey: alice.apiKey, tokenSubaccount: sub.token }))).toBe(7);
      expect(
        codeOf(await http.get(`/v1/subaccount/rules?apiKey=${alice.apiKey}&tokenSubaccount=${sub.token}`)),
      ).toBe(7);
      const filtered = await http.get(
        `/v1/subaccount/credit/transfers?apiKey=${alice.apiKey}&tokenSubaccount=${sub.token}`,
      );
      expect(codeOf(filtered)).toBe(7);
      const list = (await http.get(`/v1/subaccount/list?apiKey=${alice.apiKey}`)).json() as {
        total: number;
        data: { token: string }[];
      };
      expect(list.total).toBe(listBefore.total - 1);
      expect(list.data.map((item) => item.token)).not.toContain(sub.token);
      const history = (await http.get(`/v1/subaccount/credit/transfers?apiKey=${alice.apiKey}`)).json() as {
        data: { id: string; direction: string; tokenSubaccount: string; amount: number }[];
      };
      const close = history.data.find((item) => item.id === body.transferId);
      expect(close).toMatchObject({ direction: 'close', tokenSubaccount: sub.token });
      expect(
        history.data.some((item) => item.tokenSubaccount === sub.token && item.direction === 'add'),
      ).toBe(true);
      // Its email is free again.
      const again = await http.post('/v1/subaccount/create', {
        apiKey: alice.apiKey,
        parameters: { email: 'closing@example.com' },
      });
      expect(codeOf(again)).toBe(200);
      expect((await fixture.store.verify()).ok).toBe(true);
    });

    test('DELETE with the query string and `token`; an advanced key answers 10 after; no balance: transferId null', async () => {
      const advanced = await seedSub(fixture.store, alice, 'adv-gone@example.com', null, 'advanced');
      expect(codeOf(await http.get(`/v1/me?apiKey=${advanced.apiKey}`))).toBe(200);
      const answer = await http.send({
        method: 'DELETE',
        url: `/v1/subaccount/delete?apiKey=${alice.apiKey}&token=${advanced.token}`,
      });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toMatchObject({ success: true, code: 200, transferId: null });
      expect(codeOf(await http.get(`/v1/me?apiKey=${advanced.apiKey}`))).toBe(10);
    });

    test('Idempotency-Key: a replay gives the same bytes, JSON or XML, and moves nothing', async () => {
      for (const format of ['json', 'xml']) {
        const sub = await seedSub(fixture.store, alice, `idem-${format}@example.com`, '1');
        const headers = { 'idempotency-key': `delete-${format}` };
        const body = { apiKey: alice.apiKey, tokenSubaccount: sub.token, _format: format };
        const first = await remove(body, headers);
        const transfers = (await fixture.store.verify()).transfers;
        const replay = await remove(body, headers);
        expect(first.statusCode).toBe(200);
        expect(replay.body).toBe(first.body);
        expect(replay.headers['idempotent-replayed']).toBe('true');
        expect(replay.headers['content-type']).toBe(first.headers['content-type']);
        expect((await fixture.store.verify()).transfers).toBe(transfers);
      }
      const xml = await remove({ apiKey: alice.apiKey, tokenSubaccount: 'nope', _format: 'xml' });
      expect(xml.headers['content-type']).toContain('application/xml');
      expect(xml.statusCode).toBe(404);
    });

    test('the operator sees closed subaccounts as closed, and can close one: 30, 7, 36', async () => {
      const sub = await seedSub(fixture.store, alice, 'op-close@example.com', '3');
      const held = await seedSub(fixture.store, alice, 'op-held@example.com', '3');
      await http.post(`/admin/v1/accounts/${alice.accountId}/holds`, {
        credit: '1',
        tokenSubaccount: held.token,
      });
      const close = (id: number, token: string, headers: Record<string, string> = {}) =>
        http.post(`/admin/v1/accounts/${id}/subaccounts/${token}/close`, undefined, headers);
      expect(codeOf(await close(999999, sub.token))).toBe(30);
      expect(codeOf(await close(bob.accountId, sub.token))).toBe(7);
      expect(codeOf(await close(alice.accountId, held.token))).toBe(36);
      const closed = await close(alice.accountId, sub.token, { 'idempotency-key': 'op-close' });
      expect(closed.statusCode).toBe(200);
      expect(closed.json()).toMatchObject({
        subaccount: { token: sub.token, status: 'closed', balance: '0.000', held: '0.000' },
        transferId: expect.any(String),
      });
      const replay = await close(alice.accountId, sub.token, { 'idempotency-key': 'op-close' });
      expect(replay.body).toBe(closed.body);
      expect(codeOf(await close(alice.accountId, sub.token))).toBe(7);
      const detail = (await http.get(`/admin/v1/accounts/${alice.accountId}`)).json() as {
        subaccounts: { token: string; status: string; closedAt: string | null }[];
      };
      const shown = detail.subaccounts.find((item) => item.token === sub.token);
      expect(shown).toMatchObject({ status: 'closed', closedAt: expect.any(String) });
      const history = await http.get(`/admin/v1/transfers?tokenSubaccount=${sub.token}`);
      expect((history.json() as { data: { kind: string }[] }).data.map((item) => item.kind)).toEqual([
        'close',
        'add',
      ]);
    });
  });
}
