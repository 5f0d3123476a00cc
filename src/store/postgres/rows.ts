import type {
  Account,
  AccountKind,
  AccountStatus,
  Caller,
  SubaccountProfile,
  SubaccountType,
} from '../../domain/accounts.js';
import type { AccountState } from '../../domain/ledger-draft.js';
import type { EventType, LedgerEvent } from '../../domain/events.js';
import type { Hold } from '../../domain/holds.js';
import { NO_RULES, type AccountRules, type CapPeriod } from '../../domain/rules.js';
import type { Transfer, TransferKind } from '../../domain/transfers.js';

/**
 * pg returns int8 and numeric as strings so that no value passes through a
 * JS number; balances become bigints straight from that text. Ids stay far
 * below 2^53, so they are numbers as the domain wants.
 */
export type Int8 = string;

const LEDGER_COLUMNS = `id, kind, parent_id, email, token, status, balance, event_sequence, closed_at,
  low_balance, autotopup_below, autotopup_to, autotopup_add, cap_amount, cap_period`;

/**
 * An account row as a read outside a transaction shows it: `held` without the
 * holds already past their expiry, so a balance read is right by the time
 * anyone reads it, whether or not a transaction has expired them yet.
 * `table` is how the query names the accounts table.
 */
export function accountColumns(table = 'accounts'): string {
  return `${LEDGER_COLUMNS}, type, title, firstname, lastname, is_buyer, created_at,
    CASE WHEN ${table}.held = 0 THEN 0 ELSE (SELECT COALESCE(sum(h.amount), 0) FROM holds h
      WHERE h.account_id = ${table}.id AND h.status = 'pending' AND h.expires_at > now()) END AS held`;
}

export const ACCOUNT_COLUMNS = accountColumns();

export interface AccountRow {
  id: Int8;
  kind: AccountKind;
  parent_id: Int8 | null;
  email: string;
  token: string | null;
  status: AccountStatus;
  type: SubaccountType | null;
  title: string | null;
  firstname: string | null;
  lastname: string | null;
  is_buyer: boolean | null;
  balance: Int8;
  held: Int8;
  created_at: Date;
  event_sequence: Int8;
  closed_at: Date | null;
  low_balance: Int8 | null;
  autotopup_below: Int8 | null;
  autotopup_to: Int8 | null;
  autotopup_add: Int8 | null;
  cap_amount: Int8 | null;
  cap_period: CapPeriod | null;
}

export function toId(value: Int8): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id)) throw new Error(`account id out of range: ${value}`);
  return id;
}

const optional = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

// The same shape as the SQLite store's, absent fields included as undefined.
function toProfile(row: AccountRow): SubaccountProfile {
  return {
    title: optional(row.title),
    firstname: optional(row.firstname),
    lastname: optional(row.lastname),
    isBuyer: optional(row.is_buyer),
  };
}

export function toAccount(row: AccountRow): Account {
  return {
    ...ledgerFields(row),
    type: row.type,
    createdAt: row.created_at,
    profile: toProfile(row),
  };
}

export function toCaller(row: AccountRow): Caller {
  return {
    accountId: toId(row.id),
    kind: row.kind,
    status: row.status,
    email: row.email,
    balanceMicros: BigInt(row.balance),
    heldMicros: BigInt(row.held),
  };
}

/**
 * The columns the ledger rules read in a transaction (`held` as the row keeps
 * it: the transaction expires what is due), and the key hash that found a caller.
 */
export const STATE_COLUMNS = `${LEDGER_COLUMNS}, held, key_hash`;

export type StateRow = Pick<
  AccountRow,
  | 'id'
  | 'kind'
  | 'parent_id'
  | 'email'
  | 'token'
  | 'status'
  | 'balance'
  | 'held'
  | 'event_sequence'
  | 'closed_at'
  | 'low_balance'
  | 'autotopup_below'
  | 'autotopup_to'
  | 'autotopup_add'
  | 'cap_amount'
  | 'cap_period'
> & {
  key_hash: string | null;
};

export function toState(row: StateRow): AccountState {
  return {
    id: toId(row.id),
    kind: row.kind,
    parentId: row.parent_id === null ? null : toId(row.parent_id),
    email: row.email,
    token: row.token,
    status: row.status,
    balanceMicros: BigInt(row.balance),
    heldMicros: BigInt(row.held),
    rules: rulesOf(row),
    closedAt: row.closed_at,
    eventSequence: Number(row.event_sequence),
    keyHash: row.key_hash,
  };
}

/** The fields an Account and an AccountState share. */
function ledgerFields(row: Omit<StateRow, 'key_hash' | 'event_sequence'>) {
  return {
    id: toId(row.id),
    kind: row.kind,
    parentId: row.parent_id === null ? null : toId(row.parent_id),
    email: row.email,
    token: row.token,
    status: row.status,
    balanceMicros: BigInt(row.balance),
    heldMicros: BigInt(row.held),
    closedAt: row.closed_at,
    rules: rulesOf(row),
  };
}

const bigOrNull = (value: Int8 | null): bigint | null => (value === null ? null : BigInt(value));

function rulesOf(row: Omit<StateRow, 'key_hash' | 'event_sequence'>): AccountRules {
  if (row.low_balance === null && row.autotopup_below === null && row.cap_amount === null) return NO_RULES;
  const below = bigOrNull(row.autotopup_below);
  const cap = bigOrNull(row.cap_amount);
  return {
    lowBalanceMicros: bigOrNull(row.low_balance),
    autoTopup:
      below === null
        ? null
        : {
            belowMicros: below,
            toMicros: bigOrNull(row.autotopup_to),
            addMicros: bigOrNull(row.autotopup_add),
          },
    spendingCap: cap === null ? null : { amountMicros: cap, period: row.cap_period ?? 'day' },
  };
}

export const TRANSFER_COLUMNS = `id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
  credit_balance_after, main_account_id, subaccount_id, subaccount_token, idempotency_key, reason, operator,
  created_at`;

export interface TransferRow {
  id: string;
  kind: TransferKind;
  debit_account_id: Int8;
  credit_account_id: Int8;
  amount: Int8;
  debit_balance_after: Int8;
  credit_balance_after: Int8;
  main_account_id: Int8;
  subaccount_id: Int8 | null;
  subaccount_token: string | null;
  idempotency_key: string | null;
  reason: string | null;
  operator: string | null;
  created_at: Date;
}

export function toTransfer(row: TransferRow): Transfer {
  return {
    id: row.id,
    kind: row.kind,
    debitAccountId: toId(row.debit_account_id),
    creditAccountId: toId(row.credit_account_id),
    amountMicros: BigInt(row.amount),
    debitBalanceAfterMicros: BigInt(row.debit_balance_after),
    creditBalanceAfterMicros: BigInt(row.credit_balance_after),
    mainAccountId: toId(row.main_account_id),
    subaccountId: row.subaccount_id === null ? null : toId(row.subaccount_id),
    subaccountToken: row.subaccount_token,
    idempotencyKey: row.idempotency_key,
    reason: row.reason,
    operator: row.operator,
    createdAt: row.created_at,
  };
}

/** Column values of a new transfer, in TRANSFER_COLUMNS order, as text for an unnest() insert. */
export function transferValues(transfer: Transfer): (string | null)[] {
  return [
    transfer.id,
    transfer.kind,
    String(transfer.debitAccountId),
    String(transfer.creditAccountId),
    transfer.amountMicros.toString(),
    transfer.debitBalanceAfterMicros.toString(),
    transfer.creditBalanceAfterMicros.toString(),
    String(transfer.mainAccountId),
    transfer.subaccountId === null ? null : String(transfer.subaccountId),
    transfer.subaccountToken,
    transfer.idempotencyKey,
    transfer.reason,
    transfer.operator,
    transfer.createdAt.toISOString(),
  ];
}

export const EVENT_COLUMNS = 'account_id, sequence, id, type, data, transfer_id, created_at';

export interface EventRow {
  account_id: Int8;
  sequence: Int8;
  id: string;
  type: EventType;
  data: string | null;
  transfer_id: string | null;
  created_at: Date;
}

export function toEvent(row: EventRow): LedgerEvent {
  return {
    id: row.id,
    type: row.type,
    sequence: Number(row.sequence),
    accountId: toId(row.account_id),
    createdAt: row.created_at,
    data: row.data ?? '',
    transferId: row.transfer_id,
  };
}

export const HOLD_COLUMNS = `holds.id, holds.account_id, holds.main_account_id, holds.amount, holds.captured,
  holds.status, holds.reason, holds.created_at, holds.expires_at, holds.transfer_id,
  (SELECT token FROM accounts s WHERE s.id = holds.account_id AND s.kind = 'sub') AS token`;

export interface HoldRow {
  id: string;
  account_id: Int8;
  main_account_id: Int8;
  amount: Int8;
  captured: Int8;
  status: Hold['status'];
  reason: string | null;
  created_at: Date;
  expires_at: Date;
  transfer_id: string | null;
  token: string | null;
}

export function toHold(row: HoldRow): Hold {
  return {
    id: row.id,
    accountId: toId(row.account_id),
    mainAccountId: toId(row.main_account_id),
    tokenSubaccount: row.token,
    amountMicros: BigInt(row.amount),
    capturedMicros: BigInt(row.captured),
    status: row.status,
    reason: row.reason,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    transferId: row.transfer_id,
  };
}
