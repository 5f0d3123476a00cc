import { decidePlaceHold, decideSettleHold, expireDueHolds } from '../../domain/hold-rules.js';
import type { HoldOutcome, PlaceHoldCommand, SettleHoldCommand } from '../../domain/holds.js';
import { expireDue, readAccountById, readFunding, readUsage } from './ledger-read.js';
import { newDraft, writeLedger } from './ledger-write.js';
import { toHold, type HoldRow } from './rows.js';
import type { Statements } from './statements.js';

/** Inside a write transaction: a hold on an account, under its rules. */
export function placeHoldInTransaction(s: Statements, command: PlaceHoldCommand): HoldOutcome {
  const draft = newDraft();
  readAccountById(s, draft, command.accountId);
  expireDue(s, draft, command.createdAt);
  if (draft.account(command.accountId) !== null) readUsage(s, draft, command.accountId, command.createdAt);
  const outcome = decidePlaceHold(draft, command);
  writeLedger(s, draft.changes());
  return outcome;
}

/** Inside a write transaction: a capture or a void, with the account, its tree, and the hold's usage counters. */
export function settleHoldInTransaction(s: Statements, command: SettleHoldCommand): HoldOutcome {
  const draft = newDraft();
  const row = s.holdById.get(command.holdId) as HoldRow | undefined;
  if (row !== undefined) {
    const hold = toHold(row);
    readFunding(s, draft);
    readAccountById(s, draft, hold.accountId);
    draft.readHold(hold);
    readUsage(s, draft, hold.accountId, hold.createdAt);
  }
  const outcome = decideSettleHold(draft, command);
  writeLedger(s, draft.changes());
  return outcome;
}

/**
 * Inside a write transaction: up to `limit` holds past their expiry, expired
 * and told (hold.expired). Correctness never waits for this sweep: every
 * transaction that reads a balance expires what is due first.
 */
export function expireHoldsInTransaction(s: Statements, now: Date, limit: number): number {
  const rows = s.allDueHolds.all(now.getTime(), limit) as HoldRow[];
  const draft = newDraft();
  const holds = rows.map(toHold);
  for (const hold of holds) {
    readAccountById(s, draft, hold.accountId);
    readUsage(s, draft, hold.accountId, hold.createdAt);
  }
  expireDueHolds(draft, holds, now);
  writeLedger(s, draft.changes());
  return holds.length;
}
