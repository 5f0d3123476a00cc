import type { Account, Caller } from '../../domain/accounts.js';
import type { Transfer, TransferKind } from '../../domain/transfers.js';

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
  created_at: bigint;
}

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

export function toAccount(row: AccountRow): Account {
  return {
    id: Number(row.id),
    kind: row.kind,
    parentId: nullableNumber(row.parent_id),
    email: row.email,
    token: row.token,
    type: row.type,
    status: row.status,
    balanceMicros: row.balance,
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
