import type { Account, Caller } from '../../domain/accounts.js';
import type { AccountState } from '../../domain/ledger-draft.js';
import { eventId, type EventType, type LedgerEvent } from '../../domain/events.js';
import type { Hold } from '../../domain/holds.js';
import { NO_RULES, type AccountRules, type CapPeriod } from '../../domain/rules.js';
import type { Transfer, TransferKind } from '../../domain/transfers.js';

const COLUMNS = `id, kind, parent_id, email, token, status, type, title, firstname, lastname, is_buyer, balance,
  created_at, event_sequence, closed_at, low_balance, autotopup_below, autotopup_to, autotopup_add, cap_amount,
  cap_period`;

/**
 * An account as a transaction reads it into its draft, in StateRow's order:
 * `held` as the row keeps it (the transaction expires what is due). Read as
 * an array (`.raw()`): an object per row cost twice the time of the read itself.
 */
export const STATE_COLUMNS = `id, kind, parent_id, email, token, status, balance, held, closed_at, event_sequence,
  low_balance, autotopup_below, autotopup_to, autotopup_add, cap_amount, cap_period`;

export type StateRow = [
  id: bigint,
  kind: Account['kind'],
  parent_id: bigint | null,
  email: string,
  token: string | null,
  status: Account['status'],
  balance: bigint,
  held: bigint,
  closed_at: bigint | null,
  event_sequence: bigint,
  ...rules: RuleColumns,
];

type RuleColumns = [
  low_balance: bigint | null,
  autotopup_below: bigint | null,
  autotopup_to: bigint | null,
  autotopup_add: bigint | null,
  cap_amount: bigint | null,
  cap_period: CapPeriod | null,
];

/**
 * An account row as a read outside a transaction shows it: `held` without the
 * holds already past their expiry, so a balance read is right by the time
 * anyone reads it, whether or not a transaction has expired them yet.
 * `table` is how the query names the accounts table.
 */
export function accountColumns(table = 'accounts'): string {
  return `${COLUMNS}, CASE WHEN ${table}.held = 0 THEN 0 ELSE (SELECT COALESCE(SUM(h.amount), 0) FROM holds h
    WHERE h.account_id = ${table}.id AND h.status = 'pending'
      AND h.expires_at > CAST(unixepoch('subsec') * 1000 AS INTEGER)) END AS held`;
}

export const ACCOUNT_COLUMNS = accountColumns();

/** Rows as better-sqlite3 returns them with safe integers on: every INTEGER is a bigint. */
export interface AccountRow {
  id: bigint;
  kind: Account['kind'];
  parent_id: bigint | null;
  email: string;
  token: string | null;
  status: Account['status'];
  type: Account['type'];
  title: string | null;
  firstname: string | null;
  lastname: string | null;
  is_buyer: bigint | null;
  balance: bigint;
  held: bigint;
  created_at: bigint;
  event_sequence: bigint;
  closed_at: bigint | null;
  low_balance: bigint | null;
  autotopup_below: bigint | null;
  autotopup_to: bigint | null;
  autotopup_add: bigint | null;
  cap_amount: bigint | null;
  cap_period: CapPeriod | null;
}

/**
 * A TransferRow as read: `SELECT ${TRANSFER_COLUMNS} FROM transfers t ${TOKEN_JOIN}`.
 * The subaccount's token is not stored on the transfer; the join reads it.
 */
export const TRANSFER_COLUMNS = 't.*, s.token AS subaccount_token';
export const TOKEN_JOIN = 'LEFT JOIN accounts s ON s.id = t.subaccount_id';

export interface TransferRow {
  id: string;
  kind: TransferKind;
  debit_account_id: bigint;
  credit_account_id: bigint;
  amount: bigint;
  debit_balance_after: bigint;
  credit_balance_after: bigint;
  main_account_id: bigint;
  subaccount_id: bigint | null;
  subaccount_token: string | null;
  idempotency_key: string | null;
  reason: string | null;
  operator: string | null;
  created_at: bigint;
}

const nullableNumber = (value: bigint | null): number | null => (value === null ? null : Number(value));
const optional = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/** The fields an Account and an AccountState share. */
function ledgerFields(row: AccountRow) {
  return {
    id: Number(row.id),
    kind: row.kind,
    parentId: nullableNumber(row.parent_id),
    email: row.email,
    token: row.token,
    status: row.status,
    balanceMicros: row.balance,
    heldMicros: row.held,
    closedAt: row.closed_at === null ? null : new Date(Number(row.closed_at)),
    rules: rulesOf(row),
  };
}

type RuleFields = Pick<
  AccountRow,
  'low_balance' | 'autotopup_below' | 'autotopup_to' | 'autotopup_add' | 'cap_amount' | 'cap_period'
>;

function rulesOf(row: RuleFields): AccountRules {
  if (row.low_balance === null && row.autotopup_below === null && row.cap_amount === null) return NO_RULES;
  const topup = row.autotopup_below;
  return {
    lowBalanceMicros: row.low_balance,
    autoTopup:
      topup === null
        ? null
        : { belowMicros: topup, toMicros: row.autotopup_to, addMicros: row.autotopup_add },
    spendingCap:
      row.cap_amount === null ? null : { amountMicros: row.cap_amount, period: row.cap_period ?? 'day' },
  };
}

export function toAccount(row: AccountRow): Account {
  return {
    ...ledgerFields(row),
    type: row.type,
    createdAt: new Date(Number(row.created_at)),
    profile: {
      title: optional(row.title),
      firstname: optional(row.firstname),
      lastname: optional(row.lastname),
      isBuyer: row.is_buyer === null ? undefined : row.is_buyer !== 0n,
    },
  };
}

export function toCaller(row: AccountRow): Caller {
  return {
    accountId: Number(row.id),
    kind: row.kind,
    status: row.status,
    email: row.email,
    balanceMicros: row.balance,
    heldMicros: row.held,
  };
}

/** A row as the ledger rules read it; `keyHash` when the row was found by its key. */
export function toState(row: StateRow, keyHash: string | null = null): AccountState {
  const [id, kind, parentId, email, token, status, balance, held, closedAt, eventSequence] = row;
  const [lowBalance, below, to, add, capAmount, capPeriod] = row.slice(10) as RuleColumns;
  return {
    id: Number(id),
    kind,
    parentId: nullableNumber(parentId),
    email,
    token,
    status,
    balanceMicros: balance,
    heldMicros: held,
    rules: rulesOf({
      low_balance: lowBalance,
      autotopup_below: below,
      autotopup_to: to,
      autotopup_add: add,
      cap_amount: capAmount,
      cap_period: capPeriod,
    }),
    closedAt: closedAt === null ? null : new Date(Number(closedAt)),
    eventSequence: Number(eventSequence),
    keyHash,
  };
}

export function toTransfer(row: TransferRow): Transfer {
  return {
    id: row.id,
    kind: row.kind,
    debitAccountId: Number(row.debit_account_id),
    creditAccountId: Number(row.credit_account_id),
    amountMicros: row.amount,
    debitBalanceAfterMicros: row.debit_balance_after,
    creditBalanceAfterMicros: row.credit_balance_after,
    mainAccountId: Number(row.main_account_id),
    subaccountId: nullableNumber(row.subaccount_id),
    subaccountToken: row.subaccount_token,
    idempotencyKey: row.idempotency_key,
    reason: row.reason,
    operator: row.operator,
    createdAt: new Date(Number(row.created_at)),
  };
}

/**
 * An event's type as read (migration 8): a transfer.created event keeps none,
 * and its transfer's seq instead of the transfer's id.
 */
export const EVENT_TYPE = "COALESCE(e.type, 'transfer.created')";

export const EVENT_COLUMNS = `e.account_id, e.sequence, e.nonce, ${EVENT_TYPE} AS type, e.data,
  (SELECT t.id FROM transfers t WHERE t.seq = e.transfer_seq) AS transfer_id, e.created_at`;

export interface EventRow {
  account_id: bigint;
  sequence: bigint;
  nonce: string;
  type: EventType;
  data: string | null;
  transfer_id: string | null;
  created_at: bigint;
}

export function toEvent(row: EventRow): LedgerEvent {
  const accountId = Number(row.account_id);
  const sequence = Number(row.sequence);
  return {
    id: eventId(accountId, sequence, row.nonce),
    type: row.type,
    sequence,
    accountId,
    createdAt: new Date(Number(row.created_at)),
    data: row.data ?? '',
    transferId: row.transfer_id,
  };
}

export const HOLD_COLUMNS = `holds.id, holds.account_id, holds.main_account_id, holds.amount, holds.captured,
  holds.status, holds.reason, holds.created_at, holds.expires_at, holds.transfer_id,
  (SELECT token FROM accounts s WHERE s.id = holds.account_id AND s.kind = 'sub') AS token`;

export interface HoldRow {
  id: string;
  account_id: bigint;
  main_account_id: bigint;
  amount: bigint;
  captured: bigint;
  status: Hold['status'];
  reason: string | null;
  created_at: bigint;
  expires_at: bigint;
  transfer_id: string | null;
  token: string | null;
}

export function toHold(row: HoldRow): Hold {
  return {
    id: row.id,
    accountId: Number(row.account_id),
    mainAccountId: Number(row.main_account_id),
    tokenSubaccount: row.token,
    amountMicros: row.amount,
    capturedMicros: row.captured,
    status: row.status,
    reason: row.reason,
    createdAt: new Date(Number(row.created_at)),
    expiresAt: new Date(Number(row.expires_at)),
    transferId: row.transfer_id,
  };
}
