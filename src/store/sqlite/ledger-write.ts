import { randomFillSync } from 'node:crypto';
import { eventNonce, eventNonces } from '../../domain/events.js';
import { LedgerDraft, type LedgerChanges } from '../../domain/ledger-draft.js';
import { transferValues, type Statements } from './statements.js';

/** A subaccount history's newest transfer (null: none yet) and how many it holds. */
interface HistoryHead {
  readonly seq: bigint | null;
  readonly count: bigint;
}

const nonce = eventNonces(randomFillSync);

/** The running state of a new transaction; its event ids end with 12 random hex digits. */
export function newDraft(): LedgerDraft {
  return new LedgerDraft(nonce);
}

/**
 * Writes what a transaction's draft decided: one row per transfer, per event,
 * per hold and usage counter that moved, one update per account that moved,
 * and the fan-out's mark on each tree that has new events.
 */
export function writeLedger(s: Statements, changes: LedgerChanges): void {
  const { heads, seqs } = insertTransfers(s, changes.transfers);
  insertEvents(s, changes.events, seqs);
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
}

/** What appending a transaction's transfers left: each subaccount's new head, each transfer's seq by id. */
interface Appended {
  readonly heads: Map<number, HistoryHead>;
  readonly seqs: Map<string, bigint>;
}

/**
 * Appends the transfers, numbered from the last seq given, each linked to its
 * subaccount's previous one with its rank (the history chain of migration 7).
 */
function insertTransfers(s: Statements, transfers: LedgerChanges['transfers']): Appended {
  const appended: Appended = { heads: new Map(), seqs: new Map() };
  if (transfers.length === 0) return appended;
  const { heads, seqs } = appended;
  let seq = s.lastTransferSeq.get() as bigint;
  const values: unknown[] = [];
  for (const transfer of transfers) {
    seq += 1n;
    seqs.set(transfer.id, seq);
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
  return appended;
}

/**
 * Appends the events (migration 8's row: the id's random end; a
 * transfer.created event's transfer by seq, with no type), and the fan-out's
 * mark once per tree and transaction (mostly one tree's).
 */
function insertEvents(s: Statements, events: LedgerChanges['events'], seqs: Map<string, bigint>): void {
  if (events.length === 0) return;
  const values: unknown[] = [];
  let marked: number | null = null;
  for (const event of events) {
    const { accountId, sequence, transferId } = event;
    const nonce = eventNonce(event.id);
    if (transferId === null) {
      values.push(accountId, sequence, nonce, event.type, event.data, null, event.createdAt.getTime());
    } else {
      const seq = seqs.get(transferId);
      if (seq === undefined)
        throw new Error(`event ${event.id} tells a transfer this transaction did not write`);
      values.push(accountId, sequence, nonce, null, null, seq, event.createdAt.getTime());
    }
    if (marked !== accountId) s.markTree.run(accountId);
    marked = accountId;
  }
  s.insertEvents(values);
}

function readHead(s: Statements, accountId: number): HistoryHead {
  const [seq, count] = s.historyHead.get(accountId) as [bigint | null, bigint];
  return { seq, count };
}
