import { planCreditBatch, type BatchSubaccount } from '../../domain/credit-batch.js';
import type { CreditBatchCommand, CreditBatchOutcome } from '../../domain/transfers.js';
import { toCaller, type AccountRow } from './rows.js';
import type { Statements } from './statements.js';

/**
 * A batch inside the caller's transaction: the caller and each distinct
 * subaccount read once, every decision made in memory by the ledger rules,
 * then one row per transfer and one balance update per account touched.
 */
export function applyCreditBatchInTransaction(s: Statements, batch: CreditBatchCommand): CreditBatchOutcome {
  const callerRow = s.accountByKeyHash.get(batch.keyHash) as AccountRow | undefined;
  const caller = callerRow === undefined ? null : toCaller(callerRow);
  const subaccounts = new Map<string, BatchSubaccount>();
  if (caller !== null) {
    for (const { tokenSubaccount: token } of batch.commands) {
      if (subaccounts.has(token)) continue;
      const row = s.accountByToken.get(token) as AccountRow | undefined;
      if (row === undefined) continue;
      subaccounts.set(token, {
        id: Number(row.id),
        parentId: row.parent_id === null ? null : Number(row.parent_id),
        kind: row.kind,
        token,
        balanceMicros: row.balance,
      });
    }
  }
  const plan = planCreditBatch(caller, subaccounts, batch.commands, batch.apply);
  // The SQLite table reads the token back by join: the planned `subaccountToken` is not bound.
  for (const transfer of plan.transfers) s.insertTransfer.run(transfer);
  for (const [accountId, balance] of plan.balances) s.setBalance.run(balance, accountId);
  return plan.outcome;
}
