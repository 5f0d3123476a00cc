import type { Account } from '../../domain/accounts.js';
import { formatMicrosPadded } from '../../domain/money.js';
import type { OperatorAction } from '../../domain/operator-actions.js';
import type { Transfer } from '../../domain/transfers.js';

/**
 * The operator API's shapes (docs/admin-api.md). Money is exact decimal text
 * with at least 3 decimals, as strings: a browser's JSON.parse would round a
 * bare number.
 */
export interface AccountView {
  readonly id: number;
  readonly email: string;
  readonly status: Account['status'];
  readonly balance: string;
  readonly subaccountCount: number;
  readonly createdAt: string;
}

export function accountView(account: Account, subaccountCount: number): AccountView {
  return {
    id: account.id,
    email: account.email,
    status: account.status,
    balance: formatMicrosPadded(account.balanceMicros),
    subaccountCount,
    createdAt: account.createdAt.toISOString(),
  };
}

export function subaccountView(account: Account) {
  return {
    id: account.id,
    email: account.email,
    token: account.token,
    type: account.type,
    balance: formatMicrosPadded(account.balanceMicros),
    createdAt: account.createdAt.toISOString(),
  };
}

export interface TransferView {
  readonly id: string;
  readonly kind: Transfer['kind'];
  readonly amount: string;
  readonly accountId: number;
  readonly tokenSubaccount: string | null;
  readonly debitAccountId: number;
  readonly creditAccountId: number;
  readonly mainBalanceAfter: string | null;
  readonly subaccountBalanceAfter: string | null;
  readonly reason: string | null;
  readonly operator: string | null;
  readonly idempotencyKey: string | null;
  readonly createdAt: string;
}

export function transferView(transfer: Transfer): TransferView {
  return {
    id: transfer.id,
    kind: transfer.kind,
    amount: formatMicrosPadded(transfer.amountMicros),
    accountId: transfer.mainAccountId,
    tokenSubaccount: transfer.subaccountToken,
    debitAccountId: transfer.debitAccountId,
    creditAccountId: transfer.creditAccountId,
    mainBalanceAfter: balanceAfter(transfer, transfer.mainAccountId),
    subaccountBalanceAfter: balanceAfter(transfer, transfer.subaccountId),
    reason: transfer.reason,
    operator: transfer.operator,
    idempotencyKey: transfer.idempotencyKey,
    createdAt: transfer.createdAt.toISOString(),
  };
}

/** The balance a transfer left on `accountId`, or null when that account was not one of its two sides. */
function balanceAfter(transfer: Transfer, accountId: number | null): string | null {
  if (accountId === null) return null;
  if (transfer.debitAccountId === accountId) return formatMicrosPadded(transfer.debitBalanceAfterMicros);
  if (transfer.creditAccountId === accountId) return formatMicrosPadded(transfer.creditBalanceAfterMicros);
  return null;
}

export function actionView(action: OperatorAction) {
  return {
    id: action.id,
    action: action.action,
    operator: action.operator,
    reason: action.reason,
    createdAt: action.createdAt.toISOString(),
  };
}
