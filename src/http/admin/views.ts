import type { Account } from '../../domain/accounts.js';
import { formatMicrosPadded } from '../../domain/money.js';
import type { AccountRules } from '../../domain/rules.js';
import { rulesShape } from '../../app/rules.js';
import type { OperatorAction } from '../../domain/operator-actions.js';
import type { Transfer } from '../../domain/transfers.js';
import type * as wire from 'tirelire-client';

/**
 * The operator API's shapes, as packages/client/src/shapes.ts defines them (and the SDK
 * and the console read them). Money is exact decimal text with at least 3
 * decimals, as strings: a browser's JSON.parse would round a bare number.
 */
export function accountView(account: Account, subaccountCount: number): wire.Account {
  return {
    id: account.id,
    email: account.email,
    status: account.status,
    balance: formatMicrosPadded(account.balanceMicros),
    held: formatMicrosPadded(account.heldMicros),
    subaccountCount,
    rules: rulesView(account.rules),
    createdAt: account.createdAt.toISOString(),
  };
}

export function subaccountView(account: Account): wire.Subaccount {
  const { token, type } = subaccountIdentity(account);
  return {
    id: account.id,
    email: account.email,
    token,
    type,
    status: account.closedAt === null ? 'active' : 'closed',
    balance: formatMicrosPadded(account.balanceMicros),
    held: formatMicrosPadded(account.heldMicros),
    rules: rulesView(account.rules),
    createdAt: account.createdAt.toISOString(),
    closedAt: account.closedAt?.toISOString() ?? null,
  };
}

/** Rules as the API shows them (contract section 8): money as padded decimal text. */
export function rulesView(rules: AccountRules): wire.Rules {
  return rulesShape(rules, formatMicrosPadded);
}

/** A subaccount's row always has a token and a type (both are written when it is created): one without is a bug. */
export function subaccountIdentity(account: Account): Pick<wire.Subaccount, 'token' | 'type'> {
  if (account.token === null || account.type === null)
    throw new Error(`account ${account.id} is no subaccount`);
  return { token: account.token, type: account.type };
}

export function transferView(transfer: Transfer): wire.Transfer {
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

export function actionView(action: OperatorAction): wire.OperatorAction {
  return {
    id: action.id,
    action: action.action,
    operator: action.operator,
    reason: action.reason,
    createdAt: action.createdAt.toISOString(),
  };
}
