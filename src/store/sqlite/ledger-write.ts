import { randomUUID } from 'node:crypto';
import { LedgerDraft, type LedgerChanges } from '../../domain/ledger-draft.js';
import type { Statements } from './statements.js';

/** A subaccount history's newest transfer (null: none yet) and how many it holds. */
interface HistoryHead {
  readonly seq: bigint | null;
  readonly count: bigint;
}

/** The running state of a new transaction; its event ids end with 12 random hex digits. */
export function newDraft(): LedgerDraft {
  return new LedgerDraft(() => randomUUID().slice(-12));
}

/**
 * Writes what a transaction's draft decided: one row per transfer, per event,
 * per hold and usage counter that moved, one update per account that moved,
 * and the fan-out's mark on each tree that has new events.
 */
export function writeLedger(s: Statements, changes: LedgerChanges): void {
  const heads = insertTransfers(s, changes.transfers);
  let marked: number | null = null;
  for (const event of changes.events) {
    const { accountId, sequence } = event;
    const data = event.transferId === null ? event.data : null;
    s.insertEvent.run(
      accountId,
      sequence,
      event.id,
      event.type,
      data,
      event.transferId,
      event.createdAt.getTime(),
    );
    // The fan-out's mark, once per tree and transaction (a transaction's events are mostly one tree's).
    if (marked !== accountId) s.markTree.run(accountId);
    marked = accountId;
  }
  for (const hold of changes.holds) {
    s.upsertHold.run({
      id: hold.id,
      accountId: hold.accountId,
      mainAccountId: hold.mainAccountId,
      amount: hold.amountMicros,
      captured: hold.capturedMicros,
      status: hold.status,
      reason: hold.reason,
      createdAt: hold.createdAt.getTime(),
      expiresAt: hold.expiresAt.getTime(),
      transferId: hold.transferId,
    });
  }
  for (const counter of changes.usage) {
    const { accountId, period, starts } = counter;
    s.upsertUsage.run(accountId, period, starts, counter.usedMicros, Number(counter.reached));
  }
  for (const [accountId, update] of changes.accounts) {
    const head = heads.get(accountId);
    heads.delete(accountId);
    s.setLedgerState.run(
      update.balanceMicros,
      update.heldMicros,
      update.eventSequence,
      head?.seq ?? null,
      head?.count ?? null,
      accountId,
    );
    if (update.closedAt !== null) s.closeAccount.run(update.closedAt.getTime(), accountId);
  }
  // A subaccount whose moves in this transaction left its row as it was (an add and a remove of
  // the same amount) has no update above, but its history grew.
  for (const [accountId, head] of heads) s.setHistoryHead.run(head.seq, head.count, accountId);
}

/**
 * Appends the transfers, each linked to its subaccount's previous one with its
 * rank (the history chain of migration 7); returns each subaccount's new head.
 */
function insertTransfers(s: Statements, transfers: LedgerChanges['transfers']): Map<number, HistoryHead> {
  const heads = new Map<number, HistoryHead>();
  for (const transfer of transfers) {
    const sub = transfer.subaccountId;
    if (sub === null) {
      s.insertTransfer.run(transfer, null, null);
      continue;
    }
    const previous = heads.get(sub) ?? readHead(s, sub);
    const count = previous.count + 1n;
    const { lastInsertRowid } = s.insertTransfer.run(transfer, previous.seq, count);
    heads.set(sub, { seq: BigInt(lastInsertRowid), count });
  }
  return heads;
}

function readHead(s: Statements, accountId: number): HistoryHead {
  const [seq, count] = s.historyHead.get(accountId) as [bigint | null, bigint];
  return { seq, count };
}
