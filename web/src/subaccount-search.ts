import { ApiError } from './api.js';
import type { Account, AdminApi } from './api.js';
import type { SubaccountMatch, SubaccountSearch } from './state.js';

/** Main accounts read per page while looking for subaccounts (the API's largest page). */
const SCAN_PAGE_SIZE = 100;
/** The most main accounts with subaccounts whose subaccounts one search reads. */
export const SCAN_ACCOUNTS_MAX = 200;
/** Account details read at once. */
const SCAN_PARALLEL = 4;

/**
 * Subaccounts whose email contains the search, or whose token is the search.
 * The operator API searches main accounts only, so the console does the
 * least that works with it: a token is looked up through the transfers it
 * made (`GET /transfers?tokenSubaccount=`, which names its main account),
 * and emails by reading the subaccounts of the main accounts that have some,
 * newest first, up to SCAN_ACCOUNTS_MAX of them (the answer says when it stopped).
 */
export async function searchSubaccounts(api: AdminApi, search: string): Promise<SubaccountSearch> {
  const needle = search.trim().toLowerCase();
  if (needle === '') return { matches: [], complete: true, scanned: 0 };
  const byToken = await findByToken(api, search.trim());
  if (byToken !== null) return { matches: [byToken], complete: true, scanned: 1 };
  const parents: Account[] = [];
  let cursor: string | null = null;
  do {
    const page = await api.listAccounts('', cursor, SCAN_PAGE_SIZE);
    parents.push(...page.data.filter((account) => account.subaccountCount > 0));
    cursor = page.nextCursor;
  } while (cursor !== null && parents.length < SCAN_ACCOUNTS_MAX);
  const scanned = parents.slice(0, SCAN_ACCOUNTS_MAX);
  const matches: SubaccountMatch[] = [];
  for (let start = 0; start < scanned.length; start += SCAN_PARALLEL) {
    const details = await Promise.all(
      scanned.slice(start, start + SCAN_PARALLEL).map((account) => api.getAccount(account.id)),
    );
    for (const detail of details) {
      for (const subaccount of detail.subaccounts) {
        const hit = subaccount.email.toLowerCase().includes(needle) || subaccount.token === search.trim();
        if (hit) matches.push({ account: detail.account, subaccount });
      }
    }
  }
  const complete = cursor === null && parents.length <= SCAN_ACCOUNTS_MAX;
  return { matches, complete, scanned: scanned.length };
}

/** The subaccount with this token, when it has moved money (its transfers name its main account). */
async function findByToken(api: AdminApi, token: string): Promise<SubaccountMatch | null> {
  if (!/^[^\s@]{8,}$/.test(token)) return null;
  try {
    const transfers = await api.listTransfers({ tokenSubaccount: token }, 1, null);
    const accountId = transfers.data[0]?.accountId;
    if (accountId === undefined) return null;
    const detail = await api.getAccount(accountId);
    const subaccount = detail.subaccounts.find((sub) => sub.token === token);
    return subaccount === undefined ? null : { account: detail.account, subaccount };
  } catch (error) {
    // 7: no subaccount has this token; 22: it is not even shaped like one.
    if (error instanceof ApiError && (error.code === 7 || error.code === 22)) return null;
    throw error;
  }
}
