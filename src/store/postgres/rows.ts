import type {
  Account,
  AccountKind,
  AccountStatus,
  Caller,
  SubaccountProfile,
  SubaccountType,
} from '../../domain/accounts.js';
import type { Transfer, TransferKind } from '../../domain/transfers.js';

/**
 * pg returns int8 and numeric as strings so that no value passes through a
 * JS number; balances become bigints straight from that text. Ids stay far
 * below 2^53, so they are numbers as the domain wants.
 */
export type Int8 = string;

export const ACCOUNT_COLUMNS = `id, kind, parent_id, email, token, status, type, title, firstname, lastname,
  is_buyer, balance, created_at`;

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
  created_at: Date;
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
    id: toId(row.id),
    kind: row.kind,
    parentId: row.parent_id === null ? null : toId(row.parent_id),
    email: row.email,
    token: row.token,
    type: row.type,
    status: row.status,
    balanceMicros: BigInt(row.balance),
    createdAt: row.created_at,
    profile: toProfile(row),
  };
}

export type CallerRow = Pick<AccountRow, 'id' | 'kind' | 'status' | 'email' | 'balance'>;

export function toCaller(row: CallerRow): Caller {
  return {
    accountId: toId(row.id),
    kind: row.kind,
    status: row.status,
    email: row.email,
    balanceMicros: BigInt(row.balance),
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
