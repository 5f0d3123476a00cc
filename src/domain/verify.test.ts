import { describe, expect, it } from 'vitest';
import { assessLedger, type AccountFacts, type LedgerFacts } from './verify.js';

const account = (
  facts: Partial<AccountFacts> & Pick<AccountFacts, 'id' | 'kind' | 'balanceMicros'>,
): AccountFacts => ({
  email: `${facts.id}@x`,
  transferSumMicros: facts.balanceMicros,
  heldMicros: 0n,
  pendingHoldsMicros: 0n,
  closed: false,
  eventSequence: 0,
  events: 0,
  maxEventSequence: 0,
  ...facts,
});

const sound: LedgerFacts = {
  accounts: [
    account({ id: 1, kind: 'funding', balanceMicros: -10n }),
    account({ id: 2, kind: 'main', balanceMicros: 6n, eventSequence: 3, events: 3, maxEventSequence: 3 }),
    account({ id: 3, kind: 'sub', balanceMicros: 4n, heldMicros: 3n, pendingHoldsMicros: 3n }),
  ],
  transfers: 2,
  malformedTransferIds: [],
  topUpMicros: 12n,
  chargeMicros: 2n,
  captures: [
    {
      holdId: 'h1',
      amountMicros: 5n,
      capturedMicros: 2n,
      status: 'captured',
      transferId: 't2',
      transfer: { kind: 'charge', amountMicros: 2n },
    },
  ],
  eventsOfNoTransfer: [],
  untoldTransfers: 0,
  brokenHistoryLinks: 0,
};

const withAccount = (id: number, change: Partial<AccountFacts>): LedgerFacts => ({
  ...sound,
  accounts: sound.accounts.map((facts) => (facts.id === id ? { ...facts, ...change } : facts)),
});
const capture = sound.captures[0]!;

describe('assessLedger', () => {
  it('a sound ledger is ok, with its totals', () => {
    expect(assessLedger(sound)).toEqual({
      ok: true,
      accounts: 3,
      transfers: 2,
      customerBalanceMicros: 10n,
      fundedMicros: 10n,
      problems: [],
    });
  });

  it.each<[string, LedgerFacts, number[]]>([
    ['a malformed transfer (1)', { ...sound, malformedTransferIds: ['t9'] }, [1]],
    ['money from nowhere (2)', { ...sound, topUpMicros: 13n }, [2]],
    [
      'a negative customer balance (3, its available too: 7) whose transfers agree, breaking conservation (2)',
      { ...sound, accounts: [...sound.accounts, account({ id: 4, kind: 'sub', balanceMicros: -1n })] },
      [3, 7, 2],
    ],
    ['a balance its transfers do not explain (4)', withAccount(1, { transferSumMicros: -11n }), [4]],
    ['the funding account may be negative, never a customer', withAccount(1, { balanceMicros: -10n }), []],
    [
      'money left on a closed subaccount (4)',
      withAccount(3, { closed: true, heldMicros: 0n, pendingHoldsMicros: 0n }),
      [4],
    ],
    ['holds beyond the balance (7)', withAccount(3, { heldMicros: 5n, pendingHoldsMicros: 5n }), [7]],
    ['held not the sum of its pending holds (7)', withAccount(3, { pendingHoldsMicros: 2n }), [7]],
    [
      'a capture above its hold (7)',
      {
        ...sound,
        captures: [{ ...capture, capturedMicros: 6n, transfer: { kind: 'charge', amountMicros: 6n } }],
      },
      [7],
    ],
    ['a capture without its charge (7)', { ...sound, captures: [{ ...capture, transfer: null }] }, [7]],
    [
      'one charge settling two holds (7)',
      { ...sound, captures: [capture, { ...capture, holdId: 'h2' }] },
      [7],
    ],
    ['a gap in a tree’s events (8)', withAccount(2, { events: 2 }), [8]],
    ['an event of no transfer (8)', { ...sound, eventsOfNoTransfer: ['evt_x'] }, [8]],
    ['a transfer no event tells (8)', { ...sound, untoldTransfers: 1 }, [8]],
    ['a subaccount history with a broken link (1)', { ...sound, brokenHistoryLinks: 2 }, [1]],
  ])('%s', (_name, facts, invariants) => {
    expect(assessLedger(facts).problems.map((problem) => problem.invariant)).toEqual(invariants);
  });
});
