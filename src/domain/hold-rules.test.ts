import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideCloseSubaccount, decidePlaceHold, decideSettleHold, expireDueHolds } from './hold-rules.js';
import type { Hold } from './holds.js';
import { available, type LedgerDraft } from './ledger-draft.js';
import { decideOperatorTransfer } from './ledger-rules.js';
import { draftOf, funding, main, sub, withUsage } from './test-accounts.js';

const t0 = new Date('2026-12-02T10:00:00Z');
const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
let next = 0;

function place(draft: LedgerDraft, accountId: number, amountMicros: bigint, expiresInS = 3600) {
  next += 1;
  return decidePlaceHold(draft, {
    holdId: `hold_${next}`,
    accountId,
    amountMicros,
    reason: 'campaign',
    expiresAt: later(expiresInS),
    createdAt: t0,
    topupTransferId: `a${next}`,
  });
}

function settle(
  draft: LedgerDraft,
  holdId: string,
  kind: 'capture' | 'void',
  amountMicros: bigint | null,
  at = t0,
) {
  next += 1;
  return decideSettleHold(draft, {
    holdId,
    kind,
    amountMicros,
    transferId: `c${next}`,
    createdAt: at,
    operator: 'ops',
  });
}

/** The fixtures with the subaccount holding 10 micros and its usage counters read. */
const tree = (subMicros = 10n) =>
  withUsage(draftOf(funding, main, { ...sub, balanceMicros: subMicros }), sub.id, t0);
const holdOf = (outcome: ReturnType<typeof place>): Hold => {
  if (!outcome.ok) throw new Error(`refused ${outcome.code}`);
  return outcome.hold;
};
const types = (draft: LedgerDraft) => draft.changes().events.map((event) => event.type);

describe('holds', () => {
  it('a hold reserves from the available balance: 6 and 8 read it', () => {
    const draft = tree();
    const hold = holdOf(place(draft, sub.id, 9n));
    expect(hold).toMatchObject({ status: 'pending', mainAccountId: main.id, tokenSubaccount: 'tok' });
    expect([draft.balanceOf(sub.id), available(draft.account(sub.id)!)]).toEqual([10n, 1n]);
    expect(place(draft, sub.id, 2n)).toEqual({ ok: false, code: 8 });
    expect(place(draft, sub.id, 1n).ok).toBe(true);
    expect(place(draft, sub.id, 1n)).toEqual({ ok: false, code: 6 });
    expect(types(draft)).toEqual(['hold.created', 'hold.created', 'balance.depleted']);
  });

  it('a partial capture charges what was sent and releases the rest', () => {
    const draft = tree();
    const hold = holdOf(place(draft, sub.id, 8n));
    const captured = settle(draft, hold.id, 'capture', 3n);
    expect(captured).toMatchObject({
      ok: true,
      hold: { status: 'captured', capturedMicros: 3n },
      transfer: { kind: 'charge', amountMicros: 3n, debitAccountId: sub.id, creditAccountId: funding.id },
    });
    expect([draft.balanceOf(sub.id), draft.account(sub.id)!.heldMicros]).toEqual([7n, 0n]);
    expect(draft.usage(sub.id, 'day', t0).usedMicros).toBe(3n);
  });

  it.each<[string, 'capture' | 'void', bigint | null, number]>([
    ['a capture larger than the hold', 'capture', 9n, 35],
    ['a second capture', 'capture', null, 34],
  ])('%s → %i', (_name, kind, amount, code) => {
    const draft = tree();
    const hold = holdOf(place(draft, sub.id, 8n));
    if (code === 34) settle(draft, hold.id, 'capture', null);
    expect(settle(draft, hold.id, kind, amount)).toEqual({ ok: false, code });
  });

  it('an unknown hold is 33', () => {
    expect(settle(tree(), 'hold_missing', 'void', null)).toEqual({ ok: false, code: 33 });
  });

  it('void releases it all, and no longer counts as usage', () => {
    const draft = tree();
    const hold = holdOf(place(draft, sub.id, 8n));
    expect(settle(draft, hold.id, 'void', null)).toMatchObject({
      ok: true,
      hold: { status: 'voided' },
      transfer: null,
    });
    expect(available(draft.account(sub.id)!)).toBe(10n);
    expect(draft.usage(sub.id, 'day', t0).usedMicros).toBe(0n);
  });

  it('an expired hold cannot be captured (34), its amount is back, and hold.expired is told once', () => {
    const draft = tree();
    const hold = holdOf(place(draft, sub.id, 8n, 1));
    expect(settle(draft, hold.id, 'capture', null, later(2))).toEqual({ ok: false, code: 34 });
    expect(settle(draft, hold.id, 'void', null, later(3))).toEqual({ ok: false, code: 34 });
    expireDueHolds(draft, [hold], later(4));
    expect(available(draft.account(sub.id)!)).toBe(10n);
    expect(types(draft).filter((type) => type === 'hold.expired')).toHaveLength(1);
  });

  it('a subaccount with a pending hold cannot be closed (36); without, its balance goes back', () => {
    const draft = tree();
    const hold = holdOf(place(draft, sub.id, 1n));
    const close = { by: { keyHash: 'k' }, tokenSubaccount: 'tok', transferId: 'x1', createdAt: t0 };
    expect(decideCloseSubaccount(draft, close)).toEqual({ ok: false, code: 36 });
    settle(draft, hold.id, 'void', null);
    expect(decideCloseSubaccount(draft, close)).toEqual({
      ok: true,
      mainAvailableMicros: 5_000_010n,
      transferId: 'x1',
    });
    expect(draft.account(sub.id)).toMatchObject({ balanceMicros: 0n, keyHash: null });
    expect(draft.account(sub.id)!.closedAt).toEqual(t0);
    expect(types(draft).slice(-2)).toEqual(['transfer.created', 'subaccount.deleted']);
    expect(decideCloseSubaccount(draft, close)).toEqual({ ok: false, code: 7 });
  });
});

describe('holds against a model, for any sequence of place, capture, void, expire and charge', () => {
  it('available never negative, captured never above the hold, held the sum of pending holds, money conserved', () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('place' as const),
        micros: fc.bigInt({ min: 1n, max: 6n }),
        ttl: fc.nat(5),
      }),
      fc.record({
        kind: fc.constant('capture' as const),
        pick: fc.nat(),
        micros: fc.option(fc.bigInt({ min: 1n, max: 6n })),
      }),
      fc.record({ kind: fc.constant('void' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('charge' as const), micros: fc.bigInt({ min: 1n, max: 6n }) }),
      fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 50 }), (steps) => {
        const draft = tree(20n);
        const placed: string[] = [];
        let clock = 0;
        for (const action of steps) {
          const now = later(clock);
          if (action.kind === 'tick') {
            clock += action.seconds;
            const all = placed.map((id) => draft.hold(id)!);
            expireDueHolds(draft, all, later(clock));
          } else if (action.kind === 'place') {
            const outcome = place(draft, sub.id, action.micros, action.ttl + clock);
            if (outcome.ok) placed.push(outcome.hold.id);
          } else if (action.kind === 'charge') {
            const charged = decideOperatorTransfer(draft, {
              kind: 'charge',
              accountId: sub.id,
              amountMicros: action.micros,
              transferId: `k${(next += 1)}`,
              createdAt: now,
              reason: null,
              operator: null,
            });
            if (!charged.ok) expect([6, 8]).toContain(charged.code);
          } else if (placed.length > 0) {
            const id = placed[action.pick % placed.length]!;
            const amount = action.kind === 'capture' ? action.micros : null;
            const outcome = settle(draft, id, action.kind, amount, now);
            if (!outcome.ok) expect([34, 35]).toContain(outcome.code);
          }
          const account = draft.account(sub.id)!;
          expect(available(account)).toBeGreaterThanOrEqual(0n);
          const pending = placed.map((id) => draft.hold(id)!).filter((hold) => hold.status === 'pending');
          expect(account.heldMicros).toBe(pending.reduce((sum, hold) => sum + hold.amountMicros, 0n));
          for (const id of placed)
            expect(draft.hold(id)!.capturedMicros <= draft.hold(id)!.amountMicros).toBe(true);
        }
        const total = [funding, main, sub].reduce((sum, account) => sum + draft.balanceOf(account.id), 0n);
        expect(total).toBe(funding.balanceMicros + main.balanceMicros + 20n);
        const captures = draft.changes().transfers.filter((transfer) => transfer.kind === 'charge');
        const capturedHolds = placed
          .map((id) => draft.hold(id)!)
          .filter((hold) => hold.status === 'captured');
        expect(new Set(capturedHolds.map((hold) => hold.transferId)).size).toBe(capturedHolds.length);
        expect(
          capturedHolds.every((hold) => captures.some((transfer) => transfer.id === hold.transferId)),
        ).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
