import type { LedgerEvent } from '../events.js';
import type { AccountState } from '../accounts.js';
import { formatMicros } from '../money.js';
import type { Transfer } from '../transfers.js';
import { publicTransfer } from './transfer-view.js';

/**
 * The `data` of events, as JSON text written in the transaction of the
 * change: the object concerned, not wrapped, money as exact decimal strings,
 * a subaccount named by its token. Written by hand because one is written per
 * transfer, on the group commit's path.
 */

const text = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));
const money = (micros: bigint | null): string => (micros === null ? 'null' : `"${formatMicros(micros)}"`);

/** A transfer exactly as the public history shows it, amounts as strings. */
export function transferData(transfer: Transfer): string {
  const view = publicTransfer(transfer);
  return (
    `{"id":${text(view.id)},"direction":"${view.direction}","tokenSubaccount":${text(view.tokenSubaccount)},` +
    `"amount":${money(view.amount)},"credit":${money(view.credit)},` +
    `"subaccountCredit":${money(view.subaccountCredit)},"createdAt":"${view.createdAt}",` +
    `"idempotencyKey":${text(view.idempotencyKey)}}`
  );
}

/** The main account of an account's tree: itself, or its parent. */
export function treeOf(account: AccountState): number {
  return account.kind === 'sub' ? account.parentId! : account.id;
}

/**
 * An account as events show it: its tree, its token when it is a
 * subaccount, its posted balance, pending holds and available balance now,
 * and `extra` (the threshold crossed, for balance.low and balance.recovered).
 */
export function accountData(account: AccountState, extra: Record<string, string | null> = {}): string {
  const fields = [
    `"accountId":${treeOf(account)}`,
    `"tokenSubaccount":${text(account.kind === 'sub' ? account.token : null)}`,
    `"email":${text(account.email)}`,
    `"status":"${account.status}"`,
    `"balance":${money(account.balanceMicros)}`,
    `"held":${money(account.heldMicros)}`,
    `"available":${money(account.balanceMicros - account.heldMicros)}`,
    ...Object.entries(extra).map(([name, value]) => `${JSON.stringify(name)}:${text(value)}`),
  ];
  return `{${fields.join(',')}}`;
}

/** An event as the feed lists it and a webhook receives it. */
export function eventJson(event: LedgerEvent): string {
  return (
    `{"id":${JSON.stringify(event.id)},"type":"${event.type}","sequence":${event.sequence},` +
    `"accountId":${event.accountId},"createdAt":"${event.createdAt.toISOString()}","data":${event.data}}`
  );
}
