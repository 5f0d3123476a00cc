import type { Hold } from '../holds.js';
import { formatMicrosPadded } from '../money.js';

/**
 * A hold as the operator API shows it (contract section 9), and the `data` of
 * its events: money as decimal strings in the operator API's usual form
 * (at least 3 decimals), `accountId` the main account of its tree.
 */
export function holdView(hold: Hold) {
  return {
    id: hold.id,
    accountId: hold.mainAccountId,
    tokenSubaccount: hold.tokenSubaccount,
    amount: formatMicrosPadded(hold.amountMicros),
    captured: formatMicrosPadded(hold.capturedMicros),
    status: hold.status,
    reason: hold.reason,
    createdAt: hold.createdAt.toISOString(),
    expiresAt: hold.expiresAt.toISOString(),
  };
}

export function holdData(hold: Hold): string {
  return JSON.stringify(holdView(hold));
}
