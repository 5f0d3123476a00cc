import type {
  Account,
  DeliveryAttempt,
  Event,
  FoundSubaccount,
  Hold,
  OperatorAction,
  Subaccount,
  Transfer,
  Webhook,
} from './api.js';
import type { ChartRange } from './chart-data.js';
import { micros, microsText } from './format.js';
import type { Language } from './i18n.js';

export type Route = { page: 'accounts' } | { page: 'account'; id: number } | { page: 'unknown' };

export type ActionKind =
  | 'create'
  | 'topup'
  | 'charge'
  | 'suspend'
  | 'resume'
  | 'rules'
  | 'capture'
  | 'void'
  | 'subaccount'
  | 'rotate';

export interface DialogFields {
  email: string;
  credit: string;
  reason: string;
  /** The charge's target, or whose rules are edited ('' for the main account). */
  tokenSubaccount: string;
  /** The rules form: an empty amount is no rule. */
  lowBalance: string;
  topupBelow: string;
  topupMode: 'to' | 'add';
  topupAmount: string;
  capAmount: string;
  capPeriod: 'day' | 'month';
  /** The hold a capture or a void settles. */
  holdId: string;
  /** A new subaccount's type. */
  subType: 'simple' | 'advanced';
}

/** An operator action in progress: fill in, confirm, (for a new account) see the key once. */
export interface Dialog {
  kind: ActionKind;
  step: 'form' | 'confirm' | 'key';
  fields: DialogFields;
  busy: boolean;
  error: string | null;
  /** What the form step refuses before anything is sent (an unreadable amount). */
  fieldError: string | null;
  apiKey: string | null;
  createdId: number | null;
  copy: 'idle' | 'copied' | 'failed';
}

export type AccountSortKey = 'email' | 'status' | 'balance' | 'subaccounts' | 'created';

/** The subaccounts the server's search found so far, each with its main account's id and email. */
export interface SubaccountSearch {
  readonly matches: readonly FoundSubaccount[];
  /** Where the next page starts: the server examines a bounded number of subaccounts a page. */
  readonly nextCursor: string | null;
}

interface AccountsPage {
  search: string;
  sort: { key: AccountSortKey; direction: 'asc' | 'desc' };
  /** Subaccounts whose email or token matches the search; null while none was asked. */
  subaccountMatches: SubaccountSearch | null;
  subaccountsLoading: boolean;
  items: readonly Account[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
  /** Subaccounts of the rows the operator opened, loaded on demand. */
  expanded: Map<number, readonly Subaccount[] | 'loading' | { error: string }>;
}

export interface HistoryFilter {
  tokenSubaccount: string;
  sinceDay: string;
  untilDay: string;
}

export interface AccountPage {
  id: number;
  account: Account | null;
  subaccounts: readonly Subaccount[];
  /** The operator audit trail (suspend, resume, rotate-key), newest first. */
  actions: readonly OperatorAction[];
  loading: boolean;
  error: string | null;
  /** The API says there is no such main account. */
  notFound: boolean;
  filter: HistoryFilter;
  /** A filter day that could not be read, in words. */
  filterError: string | null;
  chartRange: ChartRange;
  transfers: readonly Transfer[];
  nextCursor: string | null;
  transfersLoading: boolean;
  transfersError: string | null;
  /** The latest movements under the same filter, for the chart. */
  chartTransfers: readonly Transfer[];
  /** Whether chartTransfers reach back to the first movement, so the balance started at 0. */
  chartComplete: boolean;
  csvBusy: boolean;
  /** The tree's events, oldest first, a page at a time. */
  events: readonly Event[];
  /** Where the next page starts (the last sequence shown), and whether the last page was full. */
  eventsAfter: number;
  eventsMore: boolean;
  eventsLoading: boolean;
  eventsError: string | null;
  /** The account's webhook endpoints, each with its latest delivery attempts. */
  webhooks: readonly EndpointDeliveries[];
  webhooksLoading: boolean;
  webhooksError: string | null;
  /** The holds of the account's tree, newest first. */
  holds: readonly Hold[];
  holdsNextCursor: string | null;
  holdsError: string | null;
}

export interface EndpointDeliveries {
  readonly endpoint: Webhook;
  readonly attempts: readonly DeliveryAttempt[];
  /** The event being resent from this endpoint's log, if one is. */
  resending: string | null;
}

export interface State {
  language: Language;
  signedIn: boolean;
  signingIn: boolean;
  signInError: string | null;
  route: Route;
  notice: string | null;
  /** The token just copied by a click, for a moment's "copied". */
  copiedToken: string | null;
  accounts: AccountsPage;
  account: AccountPage | null;
  dialog: Dialog | null;
}

export function emptyFields(): DialogFields {
  return {
    email: '',
    credit: '',
    reason: '',
    tokenSubaccount: '',
    lowBalance: '',
    topupBelow: '',
    topupMode: 'to',
    topupAmount: '',
    capAmount: '',
    capPeriod: 'day',
    holdId: '',
    subType: 'simple',
  };
}

export function newDialog(kind: ActionKind, fields: Partial<DialogFields> = {}): Dialog {
  const confirmOnly = kind === 'suspend' || kind === 'resume' || kind === 'void' || kind === 'rotate';
  return {
    kind,
    step: confirmOnly ? 'confirm' : 'form',
    fields: { ...emptyFields(), ...fields },
    busy: false,
    error: null,
    fieldError: null,
    apiKey: null,
    createdId: null,
    copy: 'idle',
  };
}

export function newAccountPage(id: number): AccountPage {
  return {
    id,
    account: null,
    subaccounts: [],
    actions: [],
    loading: true,
    error: null,
    notFound: false,
    filter: { tokenSubaccount: '', sinceDay: '', untilDay: '' },
    filterError: null,
    chartRange: 'all',
    transfers: [],
    nextCursor: null,
    transfersLoading: true,
    transfersError: null,
    chartTransfers: [],
    chartComplete: false,
    csvBusy: false,
    events: [],
    eventsAfter: 0,
    eventsMore: false,
    eventsLoading: true,
    eventsError: null,
    webhooks: [],
    webhooksLoading: true,
    webhooksError: null,
    holds: [],
    holdsNextCursor: null,
    holdsError: null,
  };
}

/** The page is chosen by the URL's fragment, so the server only ever serves index.html. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '' || path === '/' || path === '/accounts') return { page: 'accounts' };
  const match = /^\/accounts\/(\d{1,15})$/.exec(path);
  if (match !== null) return { page: 'account', id: Number(match[1]) };
  return { page: 'unknown' };
}

export function routeHash(route: Route): string {
  return route.page === 'account' ? `#/accounts/${route.id}` : '#/accounts';
}

export function newAccountsPage(): AccountsPage {
  return {
    search: '',
    sort: { key: 'created', direction: 'desc' },
    subaccountMatches: null,
    subaccountsLoading: false,
    items: [],
    nextCursor: null,
    loading: false,
    error: null,
    expanded: new Map(),
  };
}

/** The accounts shown, in the order the operator chose (amounts compared exactly). */
export function sortAccounts(items: readonly Account[], sort: AccountsPage['sort']): Account[] {
  const keyed = (account: Account): string | number | bigint => {
    switch (sort.key) {
      case 'email':
        return account.email.toLowerCase();
      case 'status':
        return account.status;
      case 'balance':
        return micros(account.balance) ?? 0n;
      case 'subaccounts':
        return account.subaccountCount;
      case 'created':
        return account.createdAt + String(account.id).padStart(15, '0');
    }
  };
  const sign = sort.direction === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => {
    const [x, y] = [keyed(a), keyed(b)];
    return x < y ? -sign : x > y ? sign : b.id - a.id;
  });
}

/** The shown accounts' balance and subaccounts added up, the balance as exact text. */
export function accountTotals(items: readonly Account[]): { balance: string; subaccounts: number } {
  const balance = items.reduce((sum, account) => sum + (micros(account.balance) ?? 0n), 0n);
  const subaccounts = items.reduce((sum, account) => sum + account.subaccountCount, 0);
  return { balance: microsText(balance), subaccounts };
}
