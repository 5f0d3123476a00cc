import { randomUUID } from 'node:crypto';
import { LedgerDraft, type LedgerChanges } from '../../domain/ledger-draft.js';
import { transferValues, type Statements } from './statements.js';

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
  insertEvents(s, changes.events);
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
 * Appends the transfers, numbered from the last seq given, each linked to its
 * subaccount's previous one with its rank (the history chain of migration 7);
 * returns each subaccount's new head.
 */
function insertTransfers(s: Statements, transfers: LedgerChanges['transfers']): Map<number, HistoryHead> {
  const heads = new Map<number, HistoryHead>();
  if (transfers.length === 0) return heads;
  let seq = s.lastTransferSeq.get() as bigint;
  const values: unknown[] = [];
  for (const transfer of transfers) {
    seq += 1n;
    const sub = transfer.subaccountId;
    if (sub === null) {
      transferValues(values, transfer, seq, null, null);
      continue;
    }
    const previous = heads.get(sub) ?? readHead(s, sub);
    const count = previous.count + 1n;
    transferValues(values, transfer, seq, previous.seq, count);
    heads.set(sub, { seq, count });
  }
  s.insertTransfers(values);
  return heads;
}

/** Appends the events, and the fan-out's mark once per tree and transaction (mostly one tree's). */
function insertEvents(s: Statements, events: LedgerChanges['events']): void {
  if (events.length === 0) return;
  const values: unknown[] = [];
  let marked: number | null = null;
  for (const event of events) {
    const { accountId } = event;
    // A transfer.created event keeps its transfer's id; its data is read from that transfer.
    const data = event.transferId === null ? event.data : null;
    values.push(
      accountId,
      event.sequence,
      event.id,
      event.type,
      data,
      event.transferId,
      event.createdAt.getTime(),
    );
    if (marked !== accountId) s.markTree.run(accountId);
    marked = accountId;
  }
  s.insertEvents(values);
}

function readHead(s: Statements, accountId: number): HistoryHead {
  const [seq, count] = s.historyHead.get(accountId) as [bigint | null, bigint];
  return { seq, count };
}
