import type { Caller } from './accounts.js';
import { checkMainCaller, settleCredit, type SubaccountState } from './ledger-rules.js';
import {
  type BatchApply,
  type CreditBatchOutcome,
  type CreditCommand,
  type CreditOutcome,
  type Transfer,
} from './transfers.js';

/** A subaccount as a store read it for a batch, found by its token. */
export interface BatchSubaccount extends SubaccountState {
  readonly token: string;
}

/** What a store writes for a batch: nothing when the outcome says it was not applied. */
export interface CreditBatchPlan {
  readonly outcome: CreditBatchOutcome;
  readonly transfers: readonly Transfer[];
  /** The final balance of every account the transfers touch. */
  readonly balances: ReadonlyMap<number, bigint>;
}

const NOTHING_TO_WRITE = { transfers: [], balances: new Map<number, bigint>() };

/**
 * Decides a batch of one caller's commands in order, each against the
 * balances the commands before it left (the same rules as a single transfer),
 * from the rows the store read and locked inside its transaction.
 */
export function planCreditBatch(
  caller: Caller | null,
  subaccounts: ReadonlyMap<string, BatchSubaccount>,
  commands: readonly CreditCommand[],
  apply: BatchApply,
): CreditBatchPlan {
  const callerCode = checkMainCaller(caller);
  if (callerCode !== null) return { outcome: { ok: false, code: callerCode }, ...NOTHING_TO_WRITE };
  const main = caller!;
  const balances = new Map<number, bigint>([[main.accountId, main.balanceMicros]]);
  const transfers: Transfer[] = [];
  const outcomes = commands.map((command): CreditOutcome => {
    const found = subaccounts.get(command.tokenSubaccount);
    const subaccount =
      found === undefined ? null : { ...found, balanceMicros: balances.get(found.id) ?? found.balanceMicros };
    const current = { ...main, balanceMicros: balances.get(main.accountId)! };
    const settled = settleCredit(command, current, subaccount);
    if (settled.transfer === null) return settled.outcome;
    balances.set(main.accountId, settled.outcome.mainBalanceMicros);
    balances.set(subaccount!.id, settled.outcome.subaccountBalanceMicros);
    transfers.push(settled.transfer);
    return settled.outcome;
  });
  const applied = apply === 'each' || (apply === 'all-or-nothing' && outcomes.every((outcome) => outcome.ok));
  if (!applied) {
    return {
      outcome: { ok: true, applied, outcomes, mainBalanceMicros: main.balanceMicros },
      ...NOTHING_TO_WRITE,
    };
  }
  // Every transfer moves money of the main account, so `balances` holds exactly the accounts
  // touched as soon as there is one transfer; with none, there is nothing to write.
  const outcome = { ok: true, applied, outcomes, mainBalanceMicros: balances.get(main.accountId)! } as const;
  return transfers.length === 0 ? { outcome, ...NOTHING_TO_WRITE } : { outcome, transfers, balances };
}
