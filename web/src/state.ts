import type { Account, OperatorAction, Subaccount, Transfer } from './api.js';
import type { Language } from './i18n.js';

export type Route = { page: 'accounts' } | { page: 'account'; id: number } | { page: 'unknown' };

export type ActionKind = 'create' | 'topup' | 'charge' | 'suspend' | 'resume';

export interface DialogFields {
  email: string;
  credit: string;
  reason: string;
  tokenSubaccount: string;
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

export interface AccountsPage {
  search: string;
  items: Account[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
  /** Subaccounts of the rows the operator opened, loaded on demand. */
  expanded: Map<number, Subaccount[] | 'loading' | { error: string }>;
}

export interface HistoryFilter {
  tokenSubaccount: string;
  sinceDay: string;
  untilDay: string;
}

export interface AccountPage {
  id: number;
  account: Account | null;
  subaccounts: Subaccount[];
  /** The operator audit trail (suspend, resume, rotate-key), newest first. */
  actions: OperatorAction[];
  loading: boolean;
  error: string | null;
  filter: HistoryFilter;
  transfers: Transfer[];
  nextCursor: string | null;
  transfersLoading: boolean;
  transfersError: string | null;
  /** The latest movements under the same filter, for the chart. */
  chartTransfers: Transfer[];
  /** Whether chartTransfers reach back to the first movement, so the balance started at 0. */
  chartComplete: boolean;
  csvBusy: boolean;
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
  return { email: '', credit: '', reason: '', tokenSubaccount: '' };
}

export function newDialog(kind: ActionKind): Dialog {
  const confirmOnly = kind === 'suspend' || kind === 'resume';
  return {
    kind,
    step: confirmOnly ? 'confirm' : 'form',
    fields: emptyFields(),
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
