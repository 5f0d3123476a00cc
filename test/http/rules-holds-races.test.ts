import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openAppOn, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { SeededMain, StoreApp } from '../helpers/http-fixture.js';
import { parseAmount } from '../../src/domain/money.js';
import { availableOrSkip, requests, serverStores, SURFACE_TOKEN, type Requests } from '../helpers/surface.js';

/**
 * The proofs of issues 15–17 that need concurrency, over HTTP on each store:
 * rules and holds are decided inside the transaction that moves the money, so
 * they stay exact when many requests race.
 */
function microsOf(text: string): bigint {
  const amount = parseAmount(text);
  if (amount.kind !== 'positive') throw new Error(`not an amount: ${text}`);
  return amount.micros;
}

for (const factory of serverStores) {
  const available = await availableOrSkip(factory);

  describe.skipIf(!available)(`rules and holds under concurrency: ${factory.name}`, () => {
    let fixture: StoreApp;
    let http: Requests;
    let main: SeededMain;

    beforeEach(async () => {
      fixture = await openAppOn(factory, { adminToken: SURFACE_TOKEN });
      http = requests(fixture);
      main = await seedMain(fixture.store, 'race@example.com', '1000');
    });
    afterEach(() => fixture.remove());

    const charge = (credit: string, tokenSubaccount?: string) =>
      http.post(`/admin/v1/accounts/${main.accountId}/charge`, { credit, tokenSubaccount });
    const codesOf = async (answers: Promise<{ json(): unknown }>[]) =>
      (await Promise.all(answers)).map((answer) => (answer.json() as { code: number }).code);
    const count = (codes: number[], code: number) => codes.filter((each) => each === code).length;
    const verified = async () => {
      const report = await fixture.store.verify();
      expect(report.problems).toEqual([]);
      expect(report.fundedMicros).toBe(report.customerBalanceMicros);
      return report;
    };

    test('256 concurrent charges of 1 under a daily cap of 100: exactly 100, one spendingcap.reached', async () => {
      const sub = await seedSub(fixture.store, main, 'capped@example.com', '300');
      await http.post('/v1/subaccount/rules', {
        apiKey: main.apiKey,
        tokenSubaccount: sub.token,
        spendingCap: { amount: '100', period: 'day' },
      });
      const codes = await codesOf(Array.from({ length: 256 }, () => charge('1', sub.token)));
      expect([count(codes, 200), count(codes, 32)]).toEqual([100, 156]);
      expect((await fixture.store.findSubaccountByToken(sub.token))!.balanceMicros).toBe(200_000_000n);
      const notices = await fixture.store.listEvents({
        accountId: main.accountId,
        after: 0,
        limit: 1000,
        types: ['spendingcap.reached'],
      });
      expect(notices).toHaveLength(1);
      await verified();
    });

    test('concurrent charges under an automatic top-up never leave the subaccount below `below` while the main account pays', async () => {
      const sub = await seedSub(fixture.store, main, 'topped@example.com', '6');
      await http.post('/v1/subaccount/rules', {
        apiKey: main.apiKey,
        tokenSubaccount: sub.token,
        autoTopup: { below: '5', to: '7.5' },
      });
      const answers = await Promise.all(Array.from({ length: 120 }, () => charge('1.333333', sub.token)));
      const charged = answers.map(
        (answer) => answer.json() as { code: number; transfer: { subaccountBalanceAfter: string } },
      );
      expect(charged.every((answer) => answer.code === 200)).toBe(true);
      const afters = charged.map((answer) => Number(answer.transfer.subaccountBalanceAfter));
      expect(Math.min(...afters)).toBeGreaterThanOrEqual(5);
      const sum = async (kind: string) => {
        const url = `/admin/v1/transfers?tokenSubaccount=${sub.token}&kind=${kind}&limit=1000`;
        const page = (await http.get(url)).json() as { data: { amount: string }[] };
        return page.data.reduce((total, item) => total + microsOf(item.amount), 0n);
      };
      const [toppedUp, chargedTotal] = [await sum('autotopup'), await sum('charge')];
      expect(chargedTotal).toBe(120n * 1_333_333n);
      const subAfter = (await fixture.store.findSubaccountByToken(sub.token))!.balanceMicros;
      const mainAfter = (await fixture.store.getAccount(main.accountId))!.balanceMicros;
      // Money conserved to the micro-euro: what the top-ups brought, the charges took, what is left.
      expect(subAfter).toBe(6_000_000n + toppedUp - chargedTotal);
      expect(mainAfter).toBe(1000_000_000n - 6_000_000n - toppedUp);
      expect(subAfter >= 5_000_000n).toBe(true);
      await verified();
    });

    test('when the main account runs dry the top-up fails (autotopup.failed) and the charge rests on the subaccount alone', async () => {
      const poor = await seedMain(fixture.store, 'poor@example.com', '10');
      const sub = await seedSub(fixture.store, poor, 'poor-sub@example.com', '4');
      await http.post('/v1/subaccount/rules', {
        apiKey: poor.apiKey,
        tokenSubaccount: sub.token,
        autoTopup: { below: '2', add: '3' },
      });
      const codes = await codesOf(
        Array.from({ length: 40 }, () =>
          http.post(`/admin/v1/accounts/${poor.accountId}/charge`, {
            credit: '1',
            tokenSubaccount: sub.token,
          }),
        ),
      );
      // The main account keeps 6 after the opening 4: two top-ups of 3, then none: 10 charges.
      const succeeded = count(codes, 200);
      expect(succeeded).toBe(10);
      expect(count(codes, 6) + count(codes, 8)).toBe(40 - succeeded);
      const failed = await fixture.store.listEvents({
        accountId: poor.accountId,
        after: 0,
        limit: 1000,
        types: ['autotopup.failed'],
      });
      expect(failed.length).toBeGreaterThan(0);
      expect((await fixture.store.getAccount(poor.accountId))!.balanceMicros).toBe(0n);
      expect((await fixture.store.findSubaccountByToken(sub.token))!.balanceMicros).toBe(0n);
      await verified();
    });

    test('256 concurrent holds of 9 on 10 available: exactly one', async () => {
      const sub = await seedSub(fixture.store, main, 'holds@example.com', '10');
      const codes = await codesOf(
        Array.from({ length: 256 }, () =>
          http.post(`/admin/v1/accounts/${main.accountId}/holds`, {
            credit: '9',
            tokenSubaccount: sub.token,
          }),
        ),
      );
      expect([count(codes, 200), count(codes, 8)]).toEqual([1, 255]);
      const pending = (
        await http.get(`/admin/v1/holds?accountId=${main.accountId}&status=pending`)
      ).json() as {
        data: unknown[];
      };
      expect(pending.data).toHaveLength(1);
      await verified();
    });

    test('100 concurrent captures of one hold: exactly one charge', async () => {
      const sub = await seedSub(fixture.store, main, 'capture@example.com', '10');
      const placed = await http.post(`/admin/v1/accounts/${main.accountId}/holds`, {
        credit: '7',
        tokenSubaccount: sub.token,
      });
      const { id } = (placed.json() as { hold: { id: string } }).hold;
      const codes = await codesOf(
        Array.from({ length: 100 }, () => http.post(`/admin/v1/holds/${id}/capture`, { credit: '2' })),
      );
      expect([count(codes, 200), count(codes, 34)]).toEqual([1, 99]);
      const charges = (
        await http.get(`/admin/v1/transfers?tokenSubaccount=${sub.token}&kind=charge`)
      ).json() as {
        data: { amount: string }[];
      };
      expect(charges.data.map((item) => item.amount)).toEqual(['2.000']);
      expect((await fixture.store.findSubaccountByToken(sub.token))!.balanceMicros).toBe(8_000_000n);
      await verified();
    });

    test('64 concurrent adds racing one delete: each add landed first and was swept back, or got 7', async () => {
      const sub = await seedSub(fixture.store, main, 'deleted@example.com', '3');
      const adds = Array.from({ length: 64 }, () =>
        http.post('/v1/subaccount/credit/add', {
          apiKey: main.apiKey,
          tokenSubaccount: sub.token,
          credit: '0.5',
        }),
      );
      const deleted = http.post('/v1/subaccount/delete', { apiKey: main.apiKey, tokenSubaccount: sub.token });
      const codes = await codesOf(adds);
      const answer = (await deleted).json() as { code: number; transferId: string };
      expect(answer.code).toBe(200);
      expect(count(codes, 200) + count(codes, 7)).toBe(64);
      const close = (await fixture.store.getTransfer(answer.transferId))!;
      expect(close.kind).toBe('close');
      // The close swept back the opening credit and every add that landed before it, nothing else.
      expect(close.amountMicros).toBe(3_000_000n + BigInt(count(codes, 200)) * 500_000n);
      const closed = (await fixture.store.findSubaccountByToken(sub.token))!;
      expect([closed.balanceMicros, closed.closedAt !== null]).toEqual([0n, true]);
      expect((await fixture.store.getAccount(main.accountId))!.balanceMicros).toBe(1000_000_000n);
      await verified();
    });
  });
}
