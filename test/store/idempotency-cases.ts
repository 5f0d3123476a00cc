import { expect, it } from 'vitest';
import { textOf } from '../../src/domain/answers/utf8.js';
import type { CreditKey } from '../../src/domain/transfers.js';
import { IDEMPOTENCY_TTL_MS, type IdempotencyClaim } from '../../src/domain/idempotency.js';
import type { Store } from '../../src/domain/store.js';
import type { CreditCommand } from '../../src/domain/transfers.js';
import { creditCommand, seedMain, seedSub } from '../helpers/fixtures.js';

/**
 * Store contract cases for idempotency records and the history listing; the
 * contract suite calls this inside its per-store describe.
 */
export function idempotencyContractCases(current: () => Store): void {
  const guard = (key: string, fingerprint: string, createdAt = new Date()): CreditKey => {
    const claim: IdempotencyClaim = { scope: 'scope-a', key, fingerprint, createdAt };
    return { claim, language: 'en' };
  };
  const guarded = (command: CreditCommand, key: string, fingerprint: string, createdAt?: Date) => ({
    ...command,
    createdAt: createdAt ?? command.createdAt,
    idempotencyKey: key,
    idempotency: guard(key, fingerprint, createdAt),
  });

  it('records a keyed command with its transfer; a second in the same batch replays it', async () => {
    const store = current();
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main);
    const add = () => creditCommand('add', main.keyHash, sub.token, '1');
    const [first, second, other] = await store.applyCredits([
      guarded(add(), 'k1', 'f1'),
      guarded(add(), 'k1', 'f1'),
      guarded(add(), 'k1', 'f2'),
    ]);
    expect(first).toMatchObject({ ok: true, answer: { status: 200, replayed: false } });
    expect(second).toMatchObject({ ok: true, answer: { status: 200, replayed: true } });
    expect(first!.ok && second!.ok && second!.transferId).toBe(first!.ok && first!.transferId);
    expect(other).toEqual({ ok: false, code: 24 });
    const [later] = await store.applyCredits([guarded(add(), 'k1', 'f1')]);
    expect(later).toEqual({ ...first, answer: { ...first!.answer!, replayed: true } });
    expect((await store.getAccount(sub.accountId))!.balanceMicros).toBe(1_000_000n);
    const transfer = await store.getTransfer(first!.ok ? first!.transferId : '');
    expect(transfer?.idempotencyKey).toBe('k1');
  });

  it('records a keyed batch as the bytes it answered, accents and all, and replays them', async () => {
    const store = current();
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main);
    const batch = () => ({
      keyHash: main.keyHash,
      apply: 'each' as const,
      commands: [
        creditCommand('add', main.keyHash, sub.token, '1'),
        creditCommand('add', main.keyHash, 'no-such-token', '1'),
      ],
      idempotency: {
        claim: { scope: 'scope-a', key: 'b1', fingerprint: 'f', createdAt: new Date() },
        language: 'fr' as const,
        earlyCodes: [null, null],
        apply: 'each' as const,
      },
    });
    const first = await store.applyCreditBatch(batch());
    const again = await store.applyCreditBatch(batch());
    expect(first).toMatchObject({ ok: true, answer: { status: 200, replayed: false } });
    expect(again).toMatchObject({ ok: false, code: 24, answer: { status: 200, replayed: true } });
    const text = textOf(first.answer!.body);
    expect(textOf(again.answer!.body)).toBe(text);
    expect(JSON.parse(text)).toMatchObject({ results: [{ code: 200 }, { code: 7, message: /é/ }] });
    expect((await store.getAccount(sub.accountId))!.balanceMicros).toBe(1_000_000n);
  });

  /** A main account of 1 EUR and its subaccount, `remove` of `amount` from it, and a date past the 24 h window. */
  const expirySetup = async (amount: string) => {
    const store = current();
    const main = await seedMain(store, '1');
    const sub = await seedSub(store, main);
    const old = new Date(Date.now() - IDEMPOTENCY_TTL_MS - 1000);
    return { store, main, sub, old, remove: () => creditCommand('remove', main.keyHash, sub.token, amount) };
  };

  it('records refusals, and treats a record past 24 h as absent; the sweep deletes it', async () => {
    const { store, main, sub, old, remove } = await expirySetup('1');
    const [refused] = await store.applyCredits([guarded(remove(), 'old', 'f', old)]);
    expect(refused).toMatchObject({ ok: false, code: 6, answer: { status: 422 } });
    const [replayed] = await store.applyCredits([guarded(remove(), 'old', 'f', old)]);
    expect(replayed).toMatchObject({ code: 6, answer: { replayed: true } });
    const add = creditCommand('add', main.keyHash, sub.token, '1');
    const [fresh] = await store.applyCredits([guarded(add, 'old', 'other')]);
    expect(fresh).toMatchObject({ ok: true, answer: { replayed: false } });
    await store.applyCredits([guarded(remove(), 'old-2', 'f', old)]);
    expect(await store.deleteExpiredIdempotencyKeys(new Date(), 1000)).toBe(1);
  });

  it('deletes expired records at most `limit` at a time, and only expired ones', async () => {
    const { store, old, remove } = await expirySetup('5');
    await store.applyCredits([1, 2, 3, 4, 5].map((n) => guarded(remove(), `old-${n}`, 'f', old)));
    const [kept] = await store.applyCredits([guarded(remove(), 'recent', 'f')]);
    const now = new Date();
    const went = [];
    for (let round = 0; round < 4; round += 1) went.push(await store.deleteExpiredIdempotencyKeys(now, 2));
    expect(went).toEqual([2, 2, 1, 0]);
    const [replayed] = await store.applyCredits([guarded(remove(), 'recent', 'f')]);
    expect(replayed).toEqual({ ...kept, answer: { ...kept!.answer!, replayed: true } });
  });

  it('pages a 10,000-transfer history with no gap and no duplicate while transfers keep coming', async () => {
    const store = current();
    const main = await seedMain(store, '1000000');
    const sub = await seedSub(store, main);
    for (let batch = 0; batch < 10; batch++) {
      await store.applyCredits(
        Array.from({ length: 1000 }, () => creditCommand('add', main.keyHash, sub.token, '0.01')),
      );
    }
    const existing = new Set(
      (
        await store.listTransfers({
          subaccountId: sub.accountId,
          limit: 20_000,
        })
      ).items.map((transfer) => transfer.id),
    );
    expect(existing.size).toBe(10_000);
    const seen: string[] = [];
    let cursor: string | undefined;
    let writes = 0;
    do {
      // A writer races every page read: new transfers land newest, above the cursor.
      const [page] = await Promise.all([
        store.listTransfers({ subaccountId: sub.accountId, limit: 100, ...(cursor ? { cursor } : {}) }),
        store.applyCredits([creditCommand('add', main.keyHash, sub.token, '0.01')]).then(() => (writes += 1)),
      ]);
      seen.push(...page.items.map((transfer) => transfer.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(new Set(seen).size).toBe(seen.length);
    const seenSet = new Set(seen);
    expect([...existing].filter((id) => !seenSet.has(id))).toEqual([]);
    // Newest first: ids are UUIDv7 and the writer is one process, so ids descend with seq.
    expect([...seen].sort().reverse()).toEqual(seen);
    expect(writes).toBeGreaterThanOrEqual(100);
  });
}
