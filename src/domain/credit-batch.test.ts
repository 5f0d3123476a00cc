import { describe, expect, it } from 'vitest';
import { decideCreditBatch, decideCredits } from './credit-batch.js';
import { ClaimBook } from './idempotency.js';
import type { AccountState, LedgerDraft } from './ledger-draft.js';
import { parseAmount } from './money.js';
import { draftOf, main, sub } from './test-accounts.js';
import type { BatchApply, CreditCommand, Direction } from './transfers.js';

/** The fixtures' main account with 10 EUR, and its empty subaccount `tok`. */
function draft(caller: AccountState = { ...main, balanceMicros: 10_000_000n }): LedgerDraft {
  return draftOf(caller, sub);
}

let next = 0;
function command(direction: Direction, amount: string, token = 'tok'): CreditCommand {
  next += 1;
  return {
    transferId: `t${next}`,
    direction,
    keyHash: 'k',
    tokenSubaccount: token,
    amount: parseAmount(amount),
    createdAt: new Date(0),
    idempotencyKey: null,
  };
}

const batch = (apply: BatchApply, commands: CreditCommand[]) => ({ keyHash: 'k', commands, apply });

describe('decideCreditBatch', () => {
  it('checks the key once: 10 and 4 refuse the whole batch', () => {
    expect(decideCreditBatch(draftOf(), batch('each', [command('add', '1')]))).toEqual({
      ok: false,
      code: 10,
    });
    const suspended = draft({ ...main, status: 'suspended' });
    expect(decideCreditBatch(suspended, batch('each', [command('add', '1')]))).toEqual({
      ok: false,
      code: 4,
    });
  });

  it("'each' applies what it can, in order, against running balances", () => {
    const made = draft();
    const outcome = decideCreditBatch(
      made,
      batch('each', [command('add', '6'), command('add', '6'), command('remove', '1')]),
    );
    expect(outcome).toMatchObject({ ok: true, applied: true, mainBalanceMicros: 5_000_000n });
    if (!outcome.ok) throw new Error('refused');
    expect(outcome.outcomes.map((item) => (item.ok ? 'ok' : item.code))).toEqual(['ok', 8, 'ok']);
    expect(made.changes().transfers).toHaveLength(2);
  });

  it("'all-or-nothing' with one refusal writes nothing and reports what would have happened", () => {
    const made = draft();
    const outcome = decideCreditBatch(
      made,
      batch('all-or-nothing', [command('add', '1'), command('add', '1', 'nope')]),
    );
    expect(outcome).toMatchObject({ ok: true, applied: false, mainBalanceMicros: 10_000_000n });
    expect(made.changes()).toEqual({ transfers: [], accounts: new Map(), events: [], holds: [], usage: [] });
  });

  it("'all-or-nothing' with no refusal applies everything", () => {
    const made = draft();
    expect(
      decideCreditBatch(made, batch('all-or-nothing', [command('add', '1'), command('add', '2')])),
    ).toMatchObject({
      applied: true,
      mainBalanceMicros: 7_000_000n,
    });
  });

  it("'none' decides and writes nothing", () => {
    const made = draft();
    expect(decideCreditBatch(made, batch('none', [command('add', '1')]))).toMatchObject({ applied: false });
    expect(made.changes().transfers).toEqual([]);
  });
});

describe('decideCredits (group commit)', () => {
  const claim = { scope: 's', key: 'key-1', fingerprint: 'f', createdAt: new Date(0) };

  it('a second command under a key used earlier in the same transaction replays the first', () => {
    const made = draft();
    const keyed = { ...command('add', '1'), idempotency: { claim, language: 'en' as const } };
    const again = { ...keyed, transferId: 'other' };
    const [first, second] = decideCredits(made, new ClaimBook([]), [keyed, again]);
    expect(first).toMatchObject({ ok: true, answer: { status: 200, replayed: false } });
    expect(second).toMatchObject({ ok: true, transferId: keyed.transferId, answer: { replayed: true } });
    expect(made.changes().transfers).toHaveLength(1);
  });

  it('another request under a used key is 24 and moves nothing', () => {
    const made = draft();
    const keyed = { ...command('add', '1'), idempotency: { claim, language: 'en' as const } };
    const other = {
      ...command('add', '2'),
      idempotency: { claim: { ...claim, fingerprint: 'g' }, language: 'en' as const },
    };
    const outcomes = decideCredits(made, new ClaimBook([]), [keyed, other]);
    expect(outcomes[1]).toEqual({ ok: false, code: 24 });
    expect(made.balanceOf(sub.id)).toBe(1_000_000n);
  });

  it('refusals of one caller do not stop another', () => {
    const made = draft();
    const outcomes = decideCredits(made, new ClaimBook([]), [command('remove', '1'), command('add', '1')]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([false, true]);
  });
});
