import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryCredits } from '../../bench/memory-ledger.js';
import { seedMainAccount, type SeededMain } from '../../bench/tirelire-seed.js';
import type { Direction } from '../../src/domain/transfers.js';
import { buildCreditCommand } from '../../src/http/credit-command.js';
import { hashApiKey } from '../../src/app/keys.js';
import { sqliteFactory, type StoreUnderTest } from '../helpers/stores.js';

/**
 * The benchmark's target f answers credits from memory (bench/memory-ledger.ts). Its figure
 * bounds what the real stores can reach only if it decides like them: these check that it
 * applies the ledger's rules and keeps its balances, and that it writes nothing.
 */
describe('bench memory ledger (target f)', () => {
  let underTest: StoreUnderTest;
  let seeded: SeededMain;
  let memory: MemoryCredits;
  const OPENING = 5_000_000n; // 5.00 EUR

  beforeEach(async () => {
    underTest = await sqliteFactory.create();
    seeded = await seedMainAccount(underTest.store, 2, OPENING);
    memory = new MemoryCredits(underTest.store);
  });
  afterEach(() => underTest.dispose());

  const credit = (direction: Direction, apiKey: string, token: string, amount: string) =>
    buildCreditCommand({
      direction,
      keyHash: hashApiKey(apiKey),
      tokenSubaccount: token,
      creditText: amount,
      idempotencyKey: null,
    });

  it('moves credit between the main account and a subaccount, in memory only', async () => {
    const [token] = seeded.tokens;
    const outcomes = await memory.store.applyCredits([
      credit('add', seeded.apiKey, token!, '2.50'),
      credit('remove', seeded.apiKey, token!, '0.50'),
    ]);
    expect(outcomes.map((o) => o.ok && [o.mainBalanceMicros, o.subaccountBalanceMicros])).toEqual([
      [2_500_000n, 2_500_000n],
      [3_000_000n, 2_000_000n],
    ]);
    expect(memory.balanceOf(seeded.mainAccountId)).toBe(3_000_000n);
    expect(memory.balanceOf(seeded.subaccountIds[0]!)).toBe(2_000_000n);
    expect((await underTest.store.getAccount(seeded.mainAccountId))?.balanceMicros).toBe(OPENING);
    expect(
      (await underTest.store.listTransfers({ mainAccountId: seeded.mainAccountId, limit: 10 })).items,
    ).toHaveLength(1);
  });

  it('refuses as the stores do: funds, unknown key, another owner’s subaccount', async () => {
    const other = await seedMainAccount(underTest.store, 1, OPENING);
    const [token] = seeded.tokens;
    const outcomes = await memory.store.applyCredits([
      credit('add', seeded.apiKey, token!, '5.01'),
      credit('remove', seeded.apiKey, token!, '0.01'),
      credit('add', 'not-a-key', token!, '1'),
      credit('add', other.apiKey, token!, '1'),
      credit('add', seeded.apiKey, token!, '5.00'),
      credit('add', seeded.apiKey, seeded.tokens[1]!, '0.01'),
    ]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual([8, 6, 10, 7, 'ok', 6]);
    expect(memory.balanceOf(seeded.mainAccountId)).toBe(0n);
  });
});
