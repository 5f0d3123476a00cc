import { AdminApi, ApiError } from './api.js';
import type { Rules, RulesInput, TransferFilter } from './api.js';
import type { ChartRange } from './chart-data.js';
import { amountForInput, dayBound, parseAmountInput, parseDayInput } from './format.js';
import { MESSAGES } from './i18n.js';
import type { Language, Messages } from './i18n.js';
import { notice } from './notices.js';
import { emptyFields, newAccountPage, newDialog, parseRoute } from './state.js';
import type { AccountSortKey, ActionKind, DialogFields, State, SubaccountSearch } from './state.js';

const HISTORY_PAGE_SIZE = 25;
const EVENTS_PAGE_SIZE = 25;
/** Attempts shown per webhook endpoint (newest first). */
const DELIVERIES_SHOWN = 10;
/**
 * The chart plots at most this many of the latest movements (three of the
 * API's largest pages), so a burst of a few hundred leaves the days before it drawn.
 */
const CHART_PAGE_SIZE = 1000;
const CHART_PAGES = 3;
/** How long a copied token says "copied". */
const COPIED_SHOWN_MS = 2000;
/** The dialog fields that hold an amount, read in the operator's language before review. */
const AMOUNT_FIELDS = ['credit', 'lowBalance', 'topupBelow', 'topupAmount', 'capAmount'] as const;

/**
 * Holds the page's state and every operator action. The views read the state
 * and call these methods; after each change the controller asks for a render.
 */
export class Controller {
  private api: AdminApi | null = null;
  private opener: HTMLElement | null = null;

  constructor(
    readonly state: State,
    private readonly render: () => void,
  ) {}

  get t(): Messages {
    return MESSAGES[this.state.language];
  }

  setLanguage(language: Language): void {
    this.state.language = language;
    this.render();
  }

  async signIn(token: string, operator: string): Promise<void> {
    const candidate = new AdminApi(
      { token: token.trim(), operator: operator.trim() },
      () => this.state.language,
    );
    this.update({ signingIn: true, signInError: null, notice: null });
    try {
      // Any authenticated read proves the token; the first accounts page is shown next anyway.
      const page = await candidate.listAccounts('', null);
      this.api = candidate;
      this.state.accounts = {
        ...this.state.accounts,
        items: page.data,
        nextCursor: page.nextCursor,
        error: null,
      };
      this.update({ signedIn: true, signingIn: false });
      this.navigate(location.hash, true);
    } catch (error) {
      this.update({ signingIn: false, signInError: this.words(error) });
    }
  }

  /** Forgets the token: only a new sign-in brings it back. */
  signOut(notice: string | null = null): void {
    this.api = null;
    this.update({ signedIn: false, account: null, dialog: null, notice, signInError: null });
    this.state.accounts.items = [];
    this.state.accounts.expanded.clear();
  }

  navigate(hash: string, focus: boolean): void {
    const route = parseRoute(hash);
    this.state.route = route;
    this.state.dialog = null;
    this.state.notice = null;
    if (route.page === 'accounts' && this.state.accounts.items.length === 0) void this.searchAccounts();
    if (route.page === 'account') void this.loadAccount(route.id);
    this.render();
    // Runs after the render queued just above, so the new page's heading exists.
    if (focus) queueMicrotask(() => document.querySelector<HTMLElement>('main h1')?.focus());
  }

  /** Main accounts by email, and subaccounts by email or token: two searches of the API. */
  async searchAccounts(search = this.state.accounts.search): Promise<void> {
    const accounts = this.state.accounts;
    Object.assign(accounts, { search, loading: true, error: null, items: [], nextCursor: null });
    Object.assign(accounts, { subaccountMatches: null, subaccountsLoading: search !== '' });
    this.render();
    await Promise.all([this.loadAccounts(null), this.loadSubaccountMatches(search)]);
  }

  /** The search's subaccounts; with the last page's cursor, the next page's after them. */
  private async loadSubaccountMatches(search: string, after: SubaccountSearch | null = null): Promise<void> {
    if (search === '') return;
    const accounts = this.state.accounts;
    try {
      const page = await this.client().searchSubaccounts(search, after?.nextCursor ?? null);
      const matches = [...(after?.matches ?? []), ...page.data];
      if (accounts.search === search) accounts.subaccountMatches = { matches, nextCursor: page.nextCursor };
    } catch (error) {
      accounts.error = this.words(error);
    }
    accounts.subaccountsLoading = false;
    this.render();
  }

  /** The server examines a bounded number of subaccounts a page: the operator asks it to go on. */
  async moreSubaccountMatches(): Promise<void> {
    const accounts = this.state.accounts;
    const found = accounts.subaccountMatches;
    if (found === null || found.nextCursor === null) return;
    accounts.subaccountsLoading = true;
    this.render();
    await this.loadSubaccountMatches(accounts.search, found);
  }

  /** Sorts the accounts shown by a column; the same column again reverses the order. */
  sortAccounts(key: AccountSortKey): void {
    const sort = this.state.accounts.sort;
    const direction = sort.key === key && sort.direction === 'asc' ? 'desc' : 'asc';
    this.state.accounts.sort = { key, direction };
    this.render();
  }

  /** Copies a token to the clipboard and says so for a moment. */
  async copyToken(token: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(token);
      this.state.copiedToken = token;
    } catch {
      this.state.notice = this.t.tokenCopyFailed;
    }
    this.render();
    setTimeout(() => {
      if (this.state.copiedToken !== token) return;
      this.state.copiedToken = null;
      this.render();
    }, COPIED_SHOWN_MS);
  }

  async moreAccounts(): Promise<void> {
    await this.loadAccounts(this.state.accounts.nextCursor);
  }

  private async loadAccounts(cursor: string | null): Promise<void> {
    const accounts = this.state.accounts;
    accounts.loading = true;
    this.render();
    try {
      const page = await this.client().listAccounts(accounts.search, cursor);
      accounts.items = cursor === null ? page.data : [...accounts.items, ...page.data];
      accounts.nextCursor = page.nextCursor;
    } catch (error) {
      accounts.error = this.words(error);
    }
    accounts.loading = false;
    this.render();
  }

  async toggleSubaccounts(id: number): Promise<void> {
    const expanded = this.state.accounts.expanded;
    if (expanded.has(id)) {
      expanded.delete(id);
      this.render();
      return;
    }
    expanded.set(id, 'loading');
    this.render();
    try {
      expanded.set(id, (await this.client().getAccount(id)).subaccounts);
    } catch (error) {
      expanded.set(id, { error: this.words(error) });
    }
    this.render();
  }

  async loadAccount(id: number): Promise<void> {
    const keep = this.state.account?.id === id ? this.state.account.filter : undefined;
    const page = newAccountPage(id);
    if (keep !== undefined) page.filter = keep;
    this.state.account = page;
    await Promise.all([
      this.refreshAccount(),
      this.loadHistory(),
      this.moreEvents(),
      this.loadWebhooks(),
      this.loadHolds(null),
    ]);
  }

  /** The next page of the tree's events (the first when none is shown). */
  async moreEvents(): Promise<void> {
    const page = this.state.account;
    if (page === null) return;
    Object.assign(page, { eventsLoading: true, eventsError: null });
    this.render();
    try {
      const next = await this.client().listEvents(page.id, page.eventsAfter, EVENTS_PAGE_SIZE);
      Object.assign(page, {
        events: [...page.events, ...next.data],
        eventsAfter: next.nextAfter,
        eventsMore: next.data.length === EVENTS_PAGE_SIZE,
      });
    } catch (error) {
      page.eventsError = this.words(error);
    }
    page.eventsLoading = false;
    this.render();
  }

  /** The account's endpoints and each one's latest attempts. */
  async loadWebhooks(): Promise<void> {
    const page = this.state.account;
    if (page === null) return;
    Object.assign(page, { webhooksLoading: true, webhooksError: null });
    this.render();
    try {
      const api = this.client();
      const { data } = await api.listWebhooks(page.id);
      page.webhooks = await Promise.all(
        data.map(async (endpoint) => ({
          endpoint,
          attempts: (await api.listDeliveries(endpoint.id, DELIVERIES_SHOWN)).data,
          resending: null,
        })),
      );
    } catch (error) {
      page.webhooksError = this.words(error);
    }
    page.webhooksLoading = false;
    this.render();
  }

  /** Queues the event again for the endpoint; its log is read again once the worker had time to try. */
  async resend(webhookId: string, eventId: string): Promise<void> {
    const page = this.state.account;
    const entry = page?.webhooks.find((item) => item.endpoint.id === webhookId);
    if (page === null || entry === undefined || entry.resending !== null) return;
    entry.resending = eventId;
    this.update({ notice: null });
    try {
      await this.client().resend(webhookId, eventId);
      this.state.notice = this.t.resent(eventId);
      await this.loadWebhooks();
    } catch (error) {
      page.webhooksError = this.words(error);
    }
    entry.resending = null;
    this.render();
  }

  /** The tree's holds, newest first; a cursor appends the next page. */
  async loadHolds(cursor: string | null): Promise<void> {
    const page = this.state.account;
    if (page === null) return;
    try {
      const found = await this.client().listHolds(page.id, cursor);
      Object.assign(page, {
        holds: cursor === null ? found.data : [...page.holds, ...found.data],
        holdsNextCursor: found.nextCursor,
        holdsError: null,
      });
    } catch (error) {
      page.holdsError = this.words(error);
    }
    this.render();
  }

  private async refreshAccount(): Promise<void> {
    const page = this.state.account;
    if (page === null) return;
    try {
      const detail = await this.client().getAccount(page.id);
      Object.assign(page, {
        account: detail.account,
        subaccounts: detail.subaccounts,
        // A server older than the audit trail sends none.
        actions: detail.actions ?? [],
        error: null,
      });
    } catch (error) {
      page.error = this.words(error);
      page.notFound = error instanceof ApiError && error.code === 30;
    }
    page.loading = false;
    this.render();
  }

  /** The history filter as typed: days in either format, read in the browser's zone. */
  async applyFilter(typed: { tokenSubaccount: string; since: string; until: string }): Promise<void> {
    const page = this.state.account;
    if (page === null) return;
    const [sinceDay, untilDay] = [parseDayInput(typed.since), parseDayInput(typed.until)];
    if (sinceDay === null || untilDay === null) {
      page.filterError = this.t.dayUnreadable;
      this.render();
      return;
    }
    page.filterError = null;
    page.filter = { tokenSubaccount: typed.tokenSubaccount, sinceDay, untilDay };
    await this.loadHistory();
  }

  setChartRange(range: ChartRange): void {
    if (this.state.account === null) return;
    this.state.account.chartRange = range;
    this.render();
  }

  /** Reloads the first page of the history and the chart's movements under the current filter. */
  private async loadHistory(): Promise<void> {
    const page = this.state.account;
    if (page === null) return;
    Object.assign(page, { transfers: [], nextCursor: null, transfersLoading: true, transfersError: null });
    this.render();
    try {
      const filter = this.transferFilter();
      const [first, chart] = await Promise.all([
        this.client().listTransfers(filter, HISTORY_PAGE_SIZE, null),
        this.chartTransfers(filter),
      ]);
      Object.assign(page, {
        transfers: first.data,
        nextCursor: first.nextCursor,
        chartTransfers: chart.transfers,
        chartComplete: chart.complete,
      });
    } catch (error) {
      page.transfersError = this.words(error);
    }
    page.transfersLoading = false;
    this.render();
  }

  async moreTransfers(): Promise<void> {
    const page = this.state.account;
    if (page === null || page.nextCursor === null) return;
    page.transfersLoading = true;
    this.render();
    try {
      const next = await this.client().listTransfers(
        this.transferFilter(),
        HISTORY_PAGE_SIZE,
        page.nextCursor,
      );
      page.transfers = [...page.transfers, ...next.data];
      page.nextCursor = next.nextCursor;
    } catch (error) {
      page.transfersError = this.words(error);
    }
    page.transfersLoading = false;
    this.render();
  }

  private async chartTransfers(filter: TransferFilter) {
    const api = this.client();
    let page = await api.listTransfers(filter, CHART_PAGE_SIZE, null);
    const all = [...page.data];
    for (let n = 1; n < CHART_PAGES && page.nextCursor !== null; n += 1) {
      page = await api.listTransfers(filter, CHART_PAGE_SIZE, page.nextCursor);
      all.push(...page.data);
    }
    return { transfers: all, complete: page.nextCursor === null };
  }

  /** Fetches the CSV with the token in a header, then hands it to the browser as a blob: download. */
  async downloadCsv(): Promise<void> {
    const page = this.state.account;
    if (page === null) return;
    page.csvBusy = true;
    this.update({ notice: null });
    try {
      const blob = await this.client().transfersCsv(this.transferFilter());
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `tirelire-account-${page.id}-transfers.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      page.transfersError = this.words(error);
    }
    page.csvBusy = false;
    this.render();
  }

  private transferFilter(): TransferFilter {
    const page = this.state.account;
    if (page === null) throw new Error('no account page open');
    const { tokenSubaccount, sinceDay, untilDay } = page.filter;
    const since = dayBound(sinceDay, 'start');
    const until = dayBound(untilDay, 'end');
    return {
      accountId: page.id,
      ...(tokenSubaccount === '' ? {} : { tokenSubaccount }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
    };
  }

  openDialog(kind: ActionKind, fields: Partial<DialogFields> = {}): void {
    this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.update({ dialog: newDialog(kind, fields) });
  }

  /** The rules form of the account ('') or of one of its subaccounts, filled with the rules as they are. */
  openRules(tokenSubaccount: string): void {
    const page = this.state.account;
    const rules =
      tokenSubaccount === ''
        ? page?.account?.rules
        : page?.subaccounts.find((sub) => sub.token === tokenSubaccount)?.rules;
    if (rules === undefined) return;
    this.openDialog('rules', this.localAmounts({ ...emptyFields(), tokenSubaccount, ...rulesFields(rules) }));
  }

  /** The amount fields as the operator writes them, to edit them again. */
  private localAmounts(fields: DialogFields): DialogFields {
    const local = { ...fields };
    for (const name of AMOUNT_FIELDS) local[name] = amountForInput(local[name], this.state.language);
    return local;
  }

  closeDialog(): void {
    const dialog = this.state.dialog;
    if (dialog?.step === 'key' && dialog.createdId !== null) void this.searchAccounts();
    this.update({ dialog: null });
    this.returnFocus();
  }

  /** Focus goes back to the button that opened the dialog, as after a native dialog's close(). */
  private returnFocus(): void {
    const opener = this.opener;
    this.opener = null;
    queueMicrotask(() => {
      if (opener?.isConnected) opener.focus();
      else document.querySelector<HTMLElement>('main h1')?.focus();
    });
  }

  /**
   * The form step only collects; nothing is sent before the operator confirms.
   * Amounts are read in the operator's language here, so the confirmation
   * shows them formatted; one that cannot be read keeps the form open.
   */
  review(fields: DialogFields): void {
    const dialog = this.state.dialog;
    if (dialog === null) return;
    const read = { ...fields };
    for (const name of AMOUNT_FIELDS) {
      if (read[name].trim() === '') {
        read[name] = '';
        continue;
      }
      const amount = parseAmountInput(read[name], this.state.language);
      if (!amount.ok) {
        Object.assign(dialog, { fields, fieldError: this.t.amountUnreadable(read[name].trim()) });
        this.render();
        return;
      }
      read[name] = amount.text;
    }
    Object.assign(dialog, { fields: read, step: 'confirm', error: null, fieldError: null });
    this.render();
  }

  /** Back to the form, the amounts written again in the operator's way. */
  edit(): void {
    const dialog = this.state.dialog;
    if (dialog === null) return;
    dialog.fields = this.localAmounts(dialog.fields);
    Object.assign(dialog, { step: 'form', error: null });
    this.render();
  }

  /** Sends the action; a reason typed on the confirmation step itself (suspend, resume) comes along. */
  async confirm(reason?: string): Promise<void> {
    const dialog = this.state.dialog;
    if (dialog === null || dialog.busy) return;
    if (reason !== undefined) dialog.fields.reason = reason;
    dialog.busy = true;
    dialog.error = null;
    this.render();
    try {
      this.state.notice = await this.perform(dialog.kind, dialog.fields);
      if (dialog.step !== 'key') {
        this.update({ dialog: null });
        this.returnFocus();
      }
    } catch (error) {
      dialog.error = this.words(error);
    }
    dialog.busy = false;
    this.render();
  }

  /** Sends the action and returns the sentence that confirms it, with the figures the API answered. */
  private async perform(kind: ActionKind, fields: DialogFields): Promise<string> {
    const api = this.client();
    const lang = this.state.language;
    if (kind === 'create') {
      const created = await api.createAccount(fields.email.trim(), fields.credit, fields.reason);
      this.showKey(created.apiKey, created.account.id);
      return notice.created(this.t, lang, created.account);
    }
    const page = this.state.account;
    const id = page?.id;
    if (page === null || id === undefined) throw new Error('an account action without an account page');
    const said = await this.performOnAccount(api, id, kind, fields);
    this.state.accounts.items = [];
    await Promise.all([this.refreshAccount(), this.loadHistory(), this.loadHolds(null)]);
    return said;
  }

  private async performOnAccount(api: AdminApi, id: number, kind: ActionKind, fields: DialogFields) {
    const [t, lang] = [this.t, this.state.language];
    const page = this.state.account!;
    const target = notice.target(t, page, fields.tokenSubaccount);
    switch (kind) {
      case 'topup':
        return notice.moved(t, lang, 'topup', target, await api.topUp(id, fields.credit, fields.reason));
      case 'charge': {
        const moved = await api.charge(id, fields.credit, fields.reason, fields.tokenSubaccount);
        return notice.moved(t, lang, 'charge', target, moved);
      }
      case 'suspend':
        return notice.status(t, (await api.suspend(id, fields.reason)).account);
      case 'resume':
        return notice.status(t, (await api.resume(id, fields.reason)).account);
      case 'rules':
        await api.setRules(id, fields.tokenSubaccount, rulesInput(fields));
        return t.doneRules(target);
      case 'capture':
      case 'void': {
        const settled =
          kind === 'void' ? await api.void(fields.holdId) : await api.capture(fields.holdId, fields.credit);
        return notice.settled(t, lang, settled.hold);
      }
      case 'rotate': {
        const rotated = await api.rotateKey(id, fields.reason);
        this.showKey(rotated.apiKey, null);
        return t.doneRotate(rotated.account.email);
      }
      case 'subaccount': {
        const input = { type: fields.subType, email: fields.email, credit: fields.credit };
        const created = await api.createSubaccount(id, input);
        // An advanced subaccount has a key of its own, shown once like a main account's.
        if (created.apiKey !== null) this.showKey(created.apiKey, null);
        return notice.subaccount(t, lang, created.subaccount.email, fields.credit);
      }
      case 'create':
        throw new Error('create is no account action');
    }
  }

  private showKey(apiKey: string, createdId: number | null): void {
    Object.assign(this.state.dialog ?? {}, { step: 'key', apiKey, createdId });
  }

  async copyKey(): Promise<void> {
    const dialog = this.state.dialog;
    if (dialog?.apiKey == null) return;
    try {
      await navigator.clipboard.writeText(dialog.apiKey);
      dialog.copy = 'copied';
    } catch {
      dialog.copy = 'failed';
    }
    this.render();
  }

  private client(): AdminApi {
    if (this.api === null) throw new Error('not signed in');
    return this.api;
  }

  private update(patch: Partial<State>): void {
    Object.assign(this.state, patch);
    this.render();
  }

  /** Words for any failure: the API's own message, or the page's when the API could not answer. */
  private words(error: unknown): string {
    if (error instanceof ApiError) {
      // Only the operator token's refusal (29) ends the session: a main account's key typed
      // for a subaccount may be refused too, and that is the dialog's business.
      const tokenRefused = error.status === 401 && (error.code === 29 || error.code === null);
      if (tokenRefused && this.api !== null) queueMicrotask(() => this.signOut(this.t.signedOut));
      if (error.code !== null) return error.message;
      return error.status === 0 ? this.t.networkError : this.t.unexpectedError(error.status);
    }
    throw error;
  }
}

export function actionName(t: Messages, kind: ActionKind): string {
  const names: Record<ActionKind, string> = {
    create: t.newAccount,
    topup: t.topUp,
    charge: t.charge,
    suspend: t.suspend,
    resume: t.resume,
    rules: t.editRules,
    capture: t.captureHold,
    void: t.voidHold,
    subaccount: t.newSubaccount,
    rotate: t.rotateKey,
  };
  return names[kind];
}

/** The form's fields from rules as they are: no rule is an empty field. */
function rulesFields(rules: Rules): Partial<DialogFields> {
  const topup = rules.autoTopup;
  return {
    lowBalance: rules.lowBalance ?? '',
    topupBelow: topup?.below ?? '',
    topupMode: topup !== null && 'add' in topup ? 'add' : 'to',
    topupAmount: topup === null ? '' : 'add' in topup ? topup.add : topup.to,
    capAmount: rules.spendingCap?.amount ?? '',
    capPeriod: rules.spendingCap?.period ?? 'day',
  };
}

/** The rules the form says (an empty amount is no rule; a main account has no automatic top-up). */
export function rulesOfFields(fields: DialogFields): Rules {
  const amount = (text: string) => (text.trim() === '' ? null : text.trim());
  const below = amount(fields.topupBelow);
  const topupAmount = fields.topupAmount.trim();
  const cap = amount(fields.capAmount);
  return {
    lowBalance: amount(fields.lowBalance),
    autoTopup:
      below === null || fields.tokenSubaccount === ''
        ? null
        : fields.topupMode === 'add'
          ? { below, add: topupAmount }
          : { below, to: topupAmount },
    spendingCap: cap === null ? null : { amount: cap, period: fields.capPeriod },
  };
}

/** The whole form as one change; a main account's has no automatic top-up to send. */
function rulesInput(fields: DialogFields): RulesInput {
  const { autoTopup, ...rest } = rulesOfFields(fields);
  return fields.tokenSubaccount === '' ? rest : { ...rest, autoTopup };
}
