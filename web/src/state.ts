import type {
  Account,
  DeliveryAttempt,
  Event,
  Hold,
  OperatorAction,
  Subaccount,
  Transfer,
  Webhook,
} from './api.js';
import type { Language } from './i18n.js';

export type Route = { page: 'accounts' } | { page: 'account'; id: number } | { page: 'unknown' };

export type ActionKind = 'create' | 'topup' | 'charge' | 'suspend' | 'resume' | 'rules' | 'capture' | 'void';

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
}

/** An operator action in progress: fill in, confirm, (for a new account) see the key once. */
export interface Dialog {
  kind: ActionKind;
  step: 'form' | 'confirm' | 'key';
  fields: DialogFields;
  busy: boolean;
  error: string | null;
  apiKey: string | null;
  createdId: number | null;
  copy: 'idle' | 'copied' | 'failed';
}

interface AccountsPage {
  search: string;
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
  filter: HistoryFilter;
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
  };
}

export function newDialog(kind: ActionKind, fields: Partial<DialogFields> = {}): Dialog {
  const confirmOnly = kind === 'suspend' || kind === 'resume' || kind === 'void';
  return {
    kind,
    step: confirmOnly ? 'confirm' : 'form',
    fields: { ...emptyFields(), ...fields },
    busy: false,
    error: null,
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
    filter: { tokenSubaccount: '', sinceDay: '', untilDay: '' },
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
