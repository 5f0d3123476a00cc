import type Database from 'better-sqlite3';
import { eventId } from '../../domain/events.js';
import type { LedgerFacts } from '../../domain/verify.js';

/**
 * Reads what `verify` judges (the judgement is the domain's, the same for
 * both stores): every balance beside the sum of its transfers and its
 * pending holds, each tree's events, the captured holds and their charges.
 */
export function readLedgerFacts(db: Database.Database): LedgerFacts {
  const accounts = db
    .prepare(
      `SELECT a.id, a.email, a.kind, a.balance, a.held, a.closed_at, a.event_sequence,
         COALESCE(c.total, 0) - COALESCE(d.total, 0) AS transfer_sum,
         COALESCE(h.pending, 0) AS pending_holds, COALESCE(e.n, 0) AS events, COALESCE(e.top, 0) AS max_sequence
       FROM accounts a
       LEFT JOIN (SELECT credit_account_id AS id, SUM(amount) AS total FROM transfers GROUP BY 1) c ON c.id = a.id
       LEFT JOIN (SELECT debit_account_id AS id, SUM(amount) AS total FROM transfers GROUP BY 1) d ON d.id = a.id
       LEFT JOIN (SELECT account_id, SUM(amount) AS pending FROM holds WHERE status = 'pending' GROUP BY 1) h
         ON h.account_id = a.id
       LEFT JOIN (SELECT account_id, COUNT(*) AS n, MAX(sequence) AS top FROM events GROUP BY 1) e
         ON e.account_id = a.id
       ORDER BY a.id`,
    )
    .all() as AccountFactRow[];
  const malformed = db
    .prepare(
      `SELECT t.id FROM transfers t
       LEFT JOIN accounts d ON d.id = t.debit_account_id
       LEFT JOIN accounts c ON c.id = t.credit_account_id
       WHERE t.amount <= 0 OR t.debit_account_id = t.credit_account_id OR d.id IS NULL OR c.id IS NULL`,
    )
    .all() as { id: string }[];
  const totals = db
    .prepare(
      `SELECT COUNT(*) AS transfers,
         COALESCE(SUM(CASE WHEN kind = 'topup' THEN amount END), 0) AS top_ups,
         COALESCE(SUM(CASE WHEN kind = 'charge' THEN amount END), 0) AS charges
       FROM transfers`,
    )
    .get() as { transfers: bigint; top_ups: bigint; charges: bigint };
  const captures = db
    .prepare(
      `SELECT h.id, h.amount, h.captured, h.status, h.transfer_id, t.kind AS transfer_kind, t.amount AS transfer_amount
       FROM holds h LEFT JOIN transfers t ON t.id = h.transfer_id
       WHERE h.status = 'captured' OR h.captured > 0 OR h.transfer_id IS NOT NULL`,
    )
    .all() as CaptureRow[];
  return {
    accounts: accounts.map((a) => ({
      id: Number(a.id),
      email: a.email,
      kind: a.kind,
      balanceMicros: a.balance,
      transferSumMicros: a.transfer_sum,
      heldMicros: a.held,
      pendingHoldsMicros: a.pending_holds,
      closed: a.closed_at !== null,
      eventSequence: Number(a.event_sequence),
      events: Number(a.events),
      maxEventSequence: Number(a.max_sequence),
    })),
    transfers: Number(totals.transfers),
    malformedTransferIds: malformed.map((t) => t.id),
    topUpMicros: totals.top_ups,
    chargeMicros: totals.charges,
    captures: captures.map((h) => ({
      holdId: h.id,
      amountMicros: h.amount,
      capturedMicros: h.captured,
      status: h.status,
      transferId: h.transfer_id,
      transfer: h.transfer_kind === null ? null : { kind: h.transfer_kind, amountMicros: h.transfer_amount! },
    })),
    ...readEventFacts(db),
    brokenHistoryLinks: countBrokenHistoryLinks(db),
  };
}

/**
 * Each subaccount transfer must name the subaccount's transfer just before it
 * (or none for its first) and its rank from 1, and each subaccount's row its
 * newest transfer and their number (or none and 0): then its chain reaches
 * every one of its transfers, in order.
 */
function countBrokenHistoryLinks(db: Database.Database): number {
  const links = db
    .prepare(
      `SELECT COUNT(*) FROM (
         SELECT t.seq, t.subaccount_id, t.previous_seq, t.history_ordinal,
           LAG(t.seq) OVER history AS before, LEAD(t.seq) OVER history AS after,
           ROW_NUMBER() OVER history AS ordinal
         FROM transfers t WHERE t.subaccount_id IS NOT NULL
         WINDOW history AS (PARTITION BY t.subaccount_id ORDER BY t.seq)) x
       LEFT JOIN accounts a ON a.id = x.subaccount_id
       WHERE x.previous_seq IS NOT x.before OR x.history_ordinal IS NOT x.ordinal
         OR (x.after IS NULL AND (a.last_seq IS NOT x.seq OR a.history_count IS NOT x.ordinal))`,
    )
    .pluck()
    .get() as bigint;
  const heads = db
    .prepare(
      `SELECT COUNT(*) FROM accounts a WHERE (a.last_seq IS NOT NULL OR a.history_count <> 0)
         AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.seq = a.last_seq AND t.subaccount_id = a.id)`,
    )
    .pluck()
    .get() as bigint;
  return Number(links + heads);
}

// A transfer.created event names its transfer by seq (migration 8); one whose
// transfer was missing when it was migrated keeps its type and no seq.
const TOLD = `WITH told AS MATERIALIZED (
  SELECT transfer_seq, account_id, sequence, nonce FROM events WHERE type IS NULL OR type = 'transfer.created')`;

/** transfer.created events of no transfer, and transfers since the first told one that no event tells. */
function readEventFacts(db: Database.Database): Pick<LedgerFacts, 'eventsOfNoTransfer' | 'untoldTransfers'> {
  const orphans = db
    .prepare(
      `${TOLD} SELECT v.account_id, v.sequence, v.nonce FROM told v LEFT JOIN transfers t ON t.seq = v.transfer_seq
       WHERE t.seq IS NULL`,
    )
    .all() as { account_id: bigint; sequence: bigint; nonce: string }[];
  const untold = db
    .prepare(
      `${TOLD} SELECT COUNT(*) AS n FROM transfers t LEFT JOIN told v ON v.transfer_seq = t.seq
       WHERE v.transfer_seq IS NULL
         AND t.seq > (SELECT COALESCE(MIN(t2.seq), 9223372036854775807) FROM transfers t2 JOIN told v2 ON v2.transfer_seq = t2.seq)`,
    )
    .get() as { n: bigint };
  return {
    eventsOfNoTransfer: orphans.map((row) =>
      eventId(Number(row.account_id), Number(row.sequence), row.nonce),
    ),
    untoldTransfers: Number(untold.n),
  };
}

interface AccountFactRow {
  id: bigint;
  email: string;
  kind: string;
  balance: bigint;
  held: bigint;
  closed_at: bigint | null;
  event_sequence: bigint;
  transfer_sum: bigint;
  pending_holds: bigint;
  events: bigint;
  max_sequence: bigint;
}

interface CaptureRow {
  id: string;
  amount: bigint;
  captured: bigint;
  status: string;
  transfer_id: string | null;
  transfer_kind: string | null;
  transfer_amount: bigint | null;
}
