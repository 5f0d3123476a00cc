import { randomFillSync } from 'node:crypto';
import { eventNonces } from '../../domain/events.js';
import { LedgerDraft, type LedgerChanges } from '../../domain/ledger-draft.js';
import { TRANSFER_COLUMNS, transferValues } from './rows.js';
import { ANY_ENABLED } from './webhooks.js';
import { sendStatement, type Queryable, type Statement } from './transaction.js';

const nonce = eventNonces(randomFillSync);

/** The running state of a new transaction; its event ids end with 12 random hex digits. */
export function newDraft(): LedgerDraft {
  return new LedgerDraft(nonce);
}

const TRANSFER_ARRAY_TYPES = [
  'uuid',
  'text',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'text',
  'text',
  'text',
  'text',
  'timestamptz',
];

/** `$n::type[]` for each type, numbered from `first`. */
function arrays(first: number, types: readonly string[]): string {
  return types.map((type, index) => `$${first + index}::${type}[]`).join(', ');
}

const TRANSFERS = arrays(1, TRANSFER_ARRAY_TYPES);

const EVENT_TYPES = ['bigint', 'bigint', 'text', 'text', 'text', 'uuid', 'timestamptz'];
const HOLD_TYPES = [
  'text',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'text',
  'text',
  'timestamptz',
  'timestamptz',
  'uuid',
];
const USAGE_TYPES = ['bigint', 'text', 'text', 'bigint', 'boolean'];
const ACCOUNT_TYPES = ['bigint', 'bigint', 'bigint', 'bigint', 'timestamptz'];
const EVENTS_PARAM = TRANSFER_ARRAY_TYPES.length + 1;
const HOLDS_PARAM = EVENTS_PARAM + EVENT_TYPES.length;
const USAGE_PARAM = HOLDS_PARAM + HOLD_TYPES.length;
const ACCOUNTS_PARAM = USAGE_PARAM + USAGE_TYPES.length;

const LINKED = `seq, previous_seq, history_ordinal, ${TRANSFER_COLUMNS}`;

// One statement for a whole transaction: every transfer row, every event with
// its outbox entry, every hold and usage counter that moved, and every
// account's new balance, holds, event sequence and closing, set-based. The
// values are the final ones computed in JS under the row locks. It fails (and
// so rolls the transaction back) unless it updated exactly the accounts given:
// the check runs in SQL because the statement may be sent together with COMMIT
// (inPipelinedTransaction), too late for a check in JS. A closed subaccount's
// key goes: an advanced subaccount's key answers 10 from then on. Events go to
// the webhook outbox only while an endpoint is enabled (the first one's
// registration waits for this statement's commit: createWebhookInTransaction).
//
// The transfers take their seqs here, in order, so that each can name its
// subaccount's transfer before it (migration 10's chain, history-chain.ts):
// the one before in this statement, or the subaccount's last seq, read from
// its row, which this transaction holds locked. The same UPDATE moves the
// subaccount's head, and only from the head it read: a row changed meanwhile
// (a writer that did not lock it) is not updated, and the check fails.
const WRITE_SQL = `
  WITH numbered AS MATERIALIZED (
    SELECT nextval('transfers_seq_seq') AS seq, u.*
    FROM unnest(${TRANSFERS}) AS u(${TRANSFER_COLUMNS})
  ), linked AS MATERIALIZED (
    SELECT n.*, a.last_seq AS head_before,
      CASE WHEN n.subaccount_id IS NOT NULL THEN coalesce(lag(n.seq) OVER history, a.last_seq) END AS previous_seq,
      CASE WHEN n.subaccount_id IS NOT NULL THEN a.history_count + row_number() OVER history END AS history_ordinal
    FROM numbered n LEFT JOIN accounts a ON a.id = n.subaccount_id
    WINDOW history AS (PARTITION BY n.subaccount_id ORDER BY n.seq)
  ), heads AS MATERIALIZED (
    SELECT subaccount_id AS id, max(seq) AS last_seq, max(history_ordinal) AS history_count,
      min(head_before) AS head_before
    FROM linked WHERE subaccount_id IS NOT NULL GROUP BY subaccount_id
  ), inserted AS (
    INSERT INTO transfers (${LINKED}) OVERRIDING SYSTEM VALUE SELECT ${LINKED} FROM linked
  ), told AS (
    INSERT INTO events (account_id, sequence, id, type, data, transfer_id, created_at)
    SELECT * FROM unnest(${arrays(EVENTS_PARAM, EVENT_TYPES)})
    RETURNING account_id, sequence
  ), queued AS (
    INSERT INTO event_outbox (account_id, sequence) SELECT account_id, sequence FROM told WHERE ${ANY_ENABLED}
  ), held AS (
    INSERT INTO holds (id, account_id, main_account_id, amount, captured, status, reason, created_at, expires_at,
      transfer_id)
    SELECT * FROM unnest(${arrays(HOLDS_PARAM, HOLD_TYPES)})
    ON CONFLICT (id) DO UPDATE SET captured = EXCLUDED.captured, status = EXCLUDED.status,
      transfer_id = EXCLUDED.transfer_id
  ), counted AS (
    INSERT INTO usage_counters (account_id, period, starts, used, reached)
    SELECT * FROM unnest(${arrays(USAGE_PARAM, USAGE_TYPES)})
    ON CONFLICT (account_id, period, starts) DO UPDATE SET used = EXCLUDED.used, reached = EXCLUDED.reached
  ), updated AS (
    UPDATE accounts SET balance = u.balance, held = u.held, event_sequence = u.sequence, closed_at = u.closed_at,
      key_hash = CASE WHEN u.closed_at IS NULL THEN accounts.key_hash END,
      last_seq = coalesce(h.last_seq, accounts.last_seq), history_count = coalesce(h.history_count, accounts.history_count)
    FROM unnest(${arrays(ACCOUNTS_PARAM, ACCOUNT_TYPES)}) AS u(id, balance, held, sequence, closed_at)
      LEFT JOIN heads h ON h.id = u.id
    WHERE accounts.id = u.id AND (h.id IS NULL OR accounts.last_seq IS NOT DISTINCT FROM h.head_before)
    RETURNING 1
  )
  SELECT CASE WHEN count(*) = cardinality($${ACCOUNTS_PARAM}::bigint[])
      AND NOT EXISTS (SELECT 1 FROM heads WHERE heads.id <> ALL($${ACCOUNTS_PARAM}::bigint[])) THEN count(*)
    ELSE CAST('balance update touched ' || count(*) || ' of ' || cardinality($${ACCOUNTS_PARAM}::bigint[]) || ' accounts' AS bigint)
  END AS updated FROM updated`;

/** One array of text per column, from rows of values. */
function columns(width: number, rows: readonly (readonly (string | null)[])[]): (string | null)[][] {
  const out: (string | null)[][] = Array.from({ length: width }, () => []);
  for (const row of rows) row.forEach((value, index) => out[index]!.push(value));
  return out;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** The statement writing what a transaction's draft decided; null when there is nothing to write. */
export function ledgerWriteStatement(changes: LedgerChanges): Statement | null {
  if (changes.accounts.size === 0 && changes.events.length === 0 && changes.usage.length === 0) return null;
  const transfers = columns(TRANSFER_ARRAY_TYPES.length, changes.transfers.map(transferValues));
  const events = columns(
    EVENT_TYPES.length,
    changes.events.map((e) => [
      String(e.accountId),
      String(e.sequence),
      e.id,
      e.type,
      e.transferId === null ? e.data : null,
      e.transferId,
      iso(e.createdAt),
    ]),
  );
  const holds = columns(
    HOLD_TYPES.length,
    changes.holds.map((h) => [
      h.id,
      String(h.accountId),
      String(h.mainAccountId),
      h.amountMicros.toString(),
      h.capturedMicros.toString(),
      h.status,
      h.reason,
      iso(h.createdAt),
      iso(h.expiresAt),
      h.transferId,
    ]),
  );
  const usage = columns(
    USAGE_TYPES.length,
    changes.usage.map((u) => [
      String(u.accountId),
      u.period,
      u.starts,
      u.usedMicros.toString(),
      String(u.reached),
    ]),
  );
  const accounts = columns(
    ACCOUNT_TYPES.length,
    [...changes.accounts].map(([id, u]) => [
      String(id),
      u.balanceMicros.toString(),
      u.heldMicros.toString(),
      String(u.eventSequence),
      iso(u.closedAt),
    ]),
  );
  return {
    name: 'ledger_write',
    text: WRITE_SQL,
    values: [...transfers, ...events, ...holds, ...usage, ...accounts],
  };
}

/** Writes what a transaction's draft decided, in one statement. */
export async function writeLedger(client: Queryable, changes: LedgerChanges): Promise<void> {
  const statement = ledgerWriteStatement(changes);
  if (statement !== null) await sendStatement(client, statement);
}
