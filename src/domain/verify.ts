/** What `tirelire verify` finds: one entry per broken invariant of CONTRACT.md section 5. */
export interface VerifyProblem {
  /** 1: transfer shape, 2: conservation, 3: negative balance, 4: balance ≠ sum of transfers. */
  readonly invariant: 1 | 2 | 3 | 4;
  readonly accountId: number | null;
  readonly email: string | null;
  readonly detail: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly accounts: number;
  readonly transfers: number;
  /** Sum of every customer balance (main and sub), in micros. */
  readonly customerBalanceMicros: bigint;
  /** Top-ups minus charges, in micros. */
  readonly fundedMicros: bigint;
  readonly problems: readonly VerifyProblem[];
}

/** What a store reads for `verify`; the judgement below is the same for every store. */
export interface LedgerFacts {
  readonly accounts: readonly {
    readonly id: number;
    readonly email: string;
    readonly kind: string;
    readonly balanceMicros: bigint;
    /** Credits minus debits over all of the account's transfers. */
    readonly transferSumMicros: bigint;
  }[];
  readonly transfers: number;
  /** Transfers whose shape breaks invariant 1 (amount ≤ 0, debit = credit, unknown account). */
  readonly malformedTransferIds: readonly string[];
  readonly topUpMicros: bigint;
  readonly chargeMicros: bigint;
}

export function assessLedger(facts: LedgerFacts): VerifyReport {
  const problems: VerifyProblem[] = facts.malformedTransferIds.map((id) => ({
    invariant: 1,
    accountId: null,
    email: null,
    detail: `transfer ${id} is not one debit and one credit of the same positive amount`,
  }));
  let customerBalanceMicros = 0n;
  for (const account of facts.accounts) {
    const who = { accountId: account.id, email: account.email };
    if (account.kind !== 'funding') {
      customerBalanceMicros += account.balanceMicros;
      if (account.balanceMicros < 0n) {
        problems.push({
          invariant: 3,
          ...who,
          detail: `balance ${account.balanceMicros} micros is negative`,
        });
      }
    }
    if (account.balanceMicros !== account.transferSumMicros) {
      problems.push({
        invariant: 4,
        ...who,
        detail: `balance ${account.balanceMicros} micros but its transfers sum to ${account.transferSumMicros}`,
      });
    }
  }
  const fundedMicros = facts.topUpMicros - facts.chargeMicros;
  if (customerBalanceMicros !== fundedMicros) {
    problems.push({
      invariant: 2,
      accountId: null,
      email: null,
      detail: `customer balances sum to ${customerBalanceMicros} micros but top-ups minus charges is ${fundedMicros}`,
    });
  }
  return {
    ok: problems.length === 0,
    accounts: facts.accounts.length,
    transfers: facts.transfers,
    customerBalanceMicros,
    fundedMicros,
    problems,
  };
}
