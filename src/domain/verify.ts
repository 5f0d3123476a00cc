/** What `tirelire verify` finds: one entry per broken invariant of CONTRACT.md section 5. */
export interface VerifyProblem {
  /**
   * 1: transfer shape, 2: conservation, 3: negative balance, 4: balance ≠ sum
   * of transfers (or money left on a closed subaccount), 7: holds (available
   * below 0, held ≠ its pending holds, a capture not one charge of at most the
   * hold), 8: events (a tree's sequence with a gap, an event of no transfer, a
   * transfer told by no event).
   */
  readonly invariant: 1 | 2 | 3 | 4 | 7 | 8;
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

export interface AccountFacts {
  readonly id: number;
  readonly email: string;
  readonly kind: string;
  readonly balanceMicros: bigint;
  /** Credits minus debits over all of the account's transfers. */
  readonly transferSumMicros: bigint;
  /** Pending holds as the row keeps them, and the sum of its holds that are pending. */
  readonly heldMicros: bigint;
  readonly pendingHoldsMicros: bigint;
  readonly closed: boolean;
  /** A main account's last event sequence, how many events its tree has, and the highest. */
  readonly eventSequence: number;
  readonly events: number;
  readonly maxEventSequence: number;
}

/** A hold that was captured (or says so), with the transfer it names. */
export interface CaptureFacts {
  readonly holdId: string;
  readonly amountMicros: bigint;
  readonly capturedMicros: bigint;
  readonly status: string;
  readonly transferId: string | null;
  /** The transfer the hold names, when it exists. */
  readonly transfer: { readonly kind: string; readonly amountMicros: bigint } | null;
}

/** What a store reads for `verify`; the judgement below is the same for every store. */
export interface LedgerFacts {
  readonly accounts: readonly AccountFacts[];
  readonly transfers: number;
  /** Transfers whose shape breaks invariant 1 (amount ≤ 0, debit = credit, unknown account). */
  readonly malformedTransferIds: readonly string[];
  readonly topUpMicros: bigint;
  readonly chargeMicros: bigint;
  readonly captures: readonly CaptureFacts[];
  /** transfer.created events naming no transfer. */
  readonly eventsOfNoTransfer: readonly string[];
  /** Transfers made since the first one told that no transfer.created event tells (older ones predate events). */
  readonly untoldTransfers: number;
  /**
   * Links of a subaccount's history that break it: a transfer whose previous
   * (or rank) is not the subaccount's transfer just before it, or a subaccount
   * whose last (or count) is not its newest. 0 on a store that reads histories
   * by index (PostgreSQL).
   */
  readonly brokenHistoryLinks: number;
}

export function assessLedger(facts: LedgerFacts): VerifyReport {
  const problems: VerifyProblem[] = facts.malformedTransferIds.map((id) =>
    general(1, `transfer ${id} is not one debit and one credit of the same positive amount`),
  );
  let customerBalanceMicros = 0n;
  for (const account of facts.accounts) {
    if (account.kind !== 'funding') customerBalanceMicros += account.balanceMicros;
    problems.push(...accountProblems(account));
  }
  const fundedMicros = facts.topUpMicros - facts.chargeMicros;
  if (customerBalanceMicros !== fundedMicros) {
    problems.push(
      general(
        2,
        `customer balances sum to ${customerBalanceMicros} micros but top-ups minus charges is ${fundedMicros}`,
      ),
    );
  }
  problems.push(...captureProblems(facts.captures));
  for (const id of facts.eventsOfNoTransfer)
    problems.push(general(8, `event ${id} tells a transfer that does not exist`));
  if (facts.brokenHistoryLinks > 0) {
    problems.push(
      general(1, `${facts.brokenHistoryLinks} links of subaccount histories do not name the transfer before`),
    );
  }
  if (facts.untoldTransfers > 0) {
    problems.push(general(8, `${facts.untoldTransfers} transfers have no transfer.created event`));
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

function general(invariant: VerifyProblem['invariant'], detail: string): VerifyProblem {
  return { invariant, accountId: null, email: null, detail };
}

function accountProblems(account: AccountFacts): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const add = (invariant: VerifyProblem['invariant'], detail: string) =>
    problems.push({ invariant, accountId: account.id, email: account.email, detail });
  const customer = account.kind !== 'funding';
  if (customer && account.balanceMicros < 0n) add(3, `balance ${account.balanceMicros} micros is negative`);
  if (account.balanceMicros !== account.transferSumMicros) {
    add(4, `balance ${account.balanceMicros} micros but its transfers sum to ${account.transferSumMicros}`);
  }
  if (account.closed && account.balanceMicros !== 0n)
    add(4, `closed with ${account.balanceMicros} micros on it`);
  if (customer && account.heldMicros > account.balanceMicros) {
    add(7, `holds ${account.heldMicros} micros on a balance of ${account.balanceMicros}: available below 0`);
  }
  if (account.heldMicros !== account.pendingHoldsMicros) {
    add(7, `held ${account.heldMicros} micros but its pending holds sum to ${account.pendingHoldsMicros}`);
  }
  const { eventSequence, events, maxEventSequence } = account;
  if (events !== eventSequence || maxEventSequence !== eventSequence) {
    add(8, `its tree counts ${eventSequence} events but has ${events}, the highest ${maxEventSequence}`);
  }
  return problems;
}

function captureProblems(captures: readonly CaptureFacts[]): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const charges = new Map<string, number>();
  for (const hold of captures) {
    if (hold.transferId !== null) charges.set(hold.transferId, (charges.get(hold.transferId) ?? 0) + 1);
    if (hold.capturedMicros > hold.amountMicros) {
      problems.push(
        general(7, `hold ${hold.holdId} captured ${hold.capturedMicros} of ${hold.amountMicros} micros`),
      );
    }
    const charge = hold.transfer;
    const captured = hold.status === 'captured' && hold.capturedMicros > 0n;
    if (
      captured &&
      (charge === null || charge.kind !== 'charge' || charge.amountMicros !== hold.capturedMicros)
    ) {
      problems.push(
        general(7, `hold ${hold.holdId} captured ${hold.capturedMicros} micros without that one charge`),
      );
    }
  }
  for (const [transferId, holds] of charges) {
    if (holds > 1) problems.push(general(7, `charge ${transferId} settles ${holds} holds`));
  }
  return problems;
}
