import { html, nothing } from 'lit-html';
import type { TemplateResult } from 'lit-html';
import type { Account, Subaccount } from '../api.js';
import type { Controller } from '../controller.js';
import { formatDateTime } from '../format.js';
import type { Language, Messages } from '../i18n.js';
import { accountTotals, sortAccounts } from '../state.js';
import type { AccountSortKey } from '../state.js';
import { money, notFound, tokenChip } from './bits.js';
import { errorLine } from './layout.js';
import { isLow, rulesSummary } from './rules-holds.js';

export function accountsView(c: Controller): TemplateResult {
  const { state, t } = c;
  const accounts = state.accounts;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    void c.searchAccounts(String(form.get('search') ?? '').trim());
  };
  const nothingFound =
    accounts.items.length === 0 &&
    !accounts.loading &&
    !accounts.subaccountsLoading &&
    (accounts.subaccountMatches?.matches.length ?? 0) === 0 &&
    (accounts.subaccountMatches?.nextCursor ?? null) === null;
  return html`<div class="page-head">
      <h1 tabindex="-1">${t.accounts}</h1>
      <button type="button" @click=${() => c.openDialog('create')}>${t.newAccount}</button>
    </div>
    <form class="row" role="search" @submit=${submit}>
      <label for="search">${t.searchEmail}</label>
      <input id="search" name="search" type="search" .value=${accounts.search} autocomplete="off" />
      <button type="submit">${t.search}</button>
    </form>
    ${errorLine(accounts.error)}
    ${nothingFound && accounts.error === null ? notFound(c, accounts.search === '' ? t.noAccounts : t.noMatch(accounts.search), false) : nothing}
    ${subaccountMatches(c)} ${accounts.items.length > 0 ? accountsTable(c) : nothing}
    ${accounts.loading ? html`<p class="help">${t.loading}</p>` : nothing}
    ${
      accounts.nextCursor !== null && !accounts.loading
        ? html`<button type="button" class="quiet" @click=${() => void c.moreAccounts()}>
            ${t.loadMore}
          </button>`
        : nothing
    }`;
}

const COLUMNS: readonly { key: AccountSortKey; words: (t: Messages) => string; numeric: boolean }[] = [
  { key: 'email', words: (t) => t.email, numeric: false },
  { key: 'status', words: (t) => t.status, numeric: false },
  { key: 'balance', words: (t) => t.balance, numeric: true },
  { key: 'subaccounts', words: (t) => t.subaccounts, numeric: true },
  { key: 'created', words: (t) => t.createdAt, numeric: false },
];

/** Main accounts as a table the operator sorts by any column, with totals and low balances marked. */
function accountsTable(c: Controller): TemplateResult {
  const { state, t } = c;
  const { items, sort } = state.accounts;
  const rows = sortAccounts(items, sort);
  const totals = accountTotals(items);
  const low = items.filter((account) => isLow(account)).length;
  return html`<div class="scroll">
    <table class="accounts" aria-busy=${state.accounts.loading ? 'true' : 'false'}>
      <caption class="visually-hidden">
        ${t.accounts}
      </caption>
      <thead>
        <tr>
          ${COLUMNS.map((column) => {
            const sorted = sort.key === column.key;
            const ariaSort = sorted ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none';
            return html`<th scope="col" class=${column.numeric ? 'num' : ''} aria-sort=${ariaSort}>
              <button type="button" class="sort" @click=${() => c.sortAccounts(column.key)}>
                ${column.words(t)}<span aria-hidden="true" class="arrow"
                  >${sorted ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}</span
                >
              </button>
            </th>`;
          })}
        </tr>
      </thead>
      <tbody>
        ${rows.map((account) => accountRows(c, account))}
      </tbody>
      <tfoot>
        <tr data-testid="totals">
          <th scope="row" colspan="2">
            ${t.total} <span class="help">${t.totalsLine(items.length, low)}</span>
          </th>
          <td class="num money">${money(totals.balance, state.language)}</td>
          <td class="num">${totals.subaccounts}</td>
          <td></td>
        </tr>
      </tfoot>
    </table>
  </div>`;
}

function accountRows(c: Controller, account: Account): TemplateResult {
  const { t, state } = c;
  const lang = state.language;
  const expanded = state.accounts.expanded.get(account.id);
  const panelId = `subaccounts-${account.id}`;
  const low = isLow(account);
  return html`<tr class="account-row ${low ? 'low' : ''}" data-account-id=${account.id}>
      <td>
        <a class="email" href="#/accounts/${account.id}">${account.email}</a>
        ${low ? html`<span class="badge low" data-testid="low-balance">${t.lowBalance}</span>` : nothing}
      </td>
      <td>
        <span class="badge ${account.status}">${account.status === 'active' ? t.active : t.suspended}</span>
      </td>
      <td class="num money">${money(account.balance, lang)}</td>
      <td class="num">
        ${
          account.subaccountCount > 0
            ? html`<button
                type="button"
                class="quiet"
                aria-expanded=${expanded !== undefined ? 'true' : 'false'}
                aria-controls=${panelId}
                aria-label="${t.subaccounts} (${account.subaccountCount}) — ${account.email}"
                @click=${() => void c.toggleSubaccounts(account.id)}
              >
                ${account.subaccountCount}
              </button>`
            : '0'
        }
      </td>
      <td class="date">${formatDateTime(account.createdAt, lang)}</td>
    </tr>
    ${
      expanded !== undefined
        ? html`<tr class="expansion">
            <td colspan="5" id=${panelId}>${subaccountPanel(c, expanded)}</td>
          </tr>`
        : nothing
    }`;
}

function subaccountPanel(
  c: Controller,
  expanded: readonly Subaccount[] | 'loading' | { error: string },
): TemplateResult {
  if (expanded === 'loading') return html`<p class="help">${c.t.loading}</p>`;
  if ('error' in expanded) return html`<p class="error" role="alert">${expanded.error}</p>`;
  return subaccountTable(c, expanded);
}

/**
 * Subaccounts found by the search, each with its main account. The server
 * examines a bounded number of subaccounts a page, newest first: while it has
 * more, a button asks it to go on (a page may find none and still have more).
 */
function subaccountMatches(c: Controller): TemplateResult | typeof nothing {
  const { state, t } = c;
  const lang = state.language;
  const found = state.accounts.subaccountMatches;
  const loading = state.accounts.subaccountsLoading;
  if (loading && found === null) return html`<p class="help">${t.searchingSubaccounts}</p>`;
  if (found === null || (found.matches.length === 0 && found.nextCursor === null)) return nothing;
  const more =
    found.nextCursor === null
      ? nothing
      : loading
        ? html`<p class="help">${t.searchingSubaccounts}</p>`
        : html`<p class="help" data-testid="search-goes-on">${t.olderSubaccounts}</p>
            <button type="button" class="quiet" @click=${() => void c.moreSubaccountMatches()}>
              ${t.searchOlderSubaccounts}
            </button>`;
  return html`<section aria-labelledby="sub-matches-title">
    <h2 id="sub-matches-title">${t.subaccountMatches}</h2>
    ${
      found.matches.length === 0
        ? nothing
        : html`<div class="scroll">
            <table class="subaccount-matches">
              <caption class="visually-hidden">
                ${t.subaccountMatches}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t.email}</th>
                  <th scope="col" class="token-col">${t.token_}</th>
                  <th scope="col" class="num">${t.balance}</th>
                  <th scope="col">${t.parentAccount}</th>
                </tr>
              </thead>
              <tbody>
                ${found.matches.map(
                  (subaccount) =>
                    html`<tr data-token=${subaccount.token}>
                      <td>
                        ${subaccount.email}
                        ${subaccount.status === 'closed' ? html`<span class="badge closed">${t.closed}</span>` : nothing}
                      </td>
                      <td class="token-col">${tokenChip(c, subaccount.token)}</td>
                      <td class="num money">${money(subaccount.balance, lang)}</td>
                      <td><a href="#/accounts/${subaccount.accountId}">${subaccount.accountEmail}</a></td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    ${more}
  </section>`;
}

/**
 * Subaccounts with their balances and rules, closed ones marked so; those
 * below their low-balance threshold highlighted. With `onRules`, a button per
 * open subaccount edits its rules.
 */
export function subaccountTable(
  c: Controller,
  subaccounts: readonly Subaccount[],
  onRules?: (token: string) => void,
): TemplateResult {
  const { t } = c;
  const lang: Language = c.state.language;
  if (subaccounts.length === 0) return html`<p class="help">${t.noSubaccounts}</p>`;
  return html`<div class="scroll">
    <table class="subaccounts">
      <caption class="visually-hidden">
        ${t.subaccounts}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t.email}</th>
          <th scope="col" class="num">${t.balance}</th>
          <th scope="col" class="num">${t.held}</th>
          <th scope="col" class="token-col">${t.token_}</th>
          <th scope="col" class="wide-only">${t.type}</th>
          <th scope="col" class="wide-only">${t.rules}</th>
          ${onRules === undefined ? nothing : html`<th scope="col"><span class="visually-hidden">${t.actions}</span></th>`}
        </tr>
      </thead>
      <tbody>
        ${subaccounts.map((sub) => {
          const closed = sub.status === 'closed';
          const low = !closed && isLow(sub);
          return html`<tr class="${closed ? 'closed' : ''} ${low ? 'low' : ''}" data-token=${sub.token}>
            <td>
              ${sub.email} ${closed ? html`<span class="badge closed">${t.closed}</span>` : nothing}
              ${low ? html`<span class="badge low">${t.lowBalance}</span>` : nothing}
            </td>
            <td class="num money">${money(sub.balance, lang)}</td>
            <td class="num money">${money(sub.held, lang)}</td>
            <td class="token-col">${tokenChip(c, sub.token)}</td>
            <td class="wide-only">${t.subaccountTypes[sub.type]}</td>
            <td class="wrap wide-only">${closed ? '—' : rulesSummary(t, lang, sub.rules)}</td>
            ${
              onRules === undefined
                ? nothing
                : html`<td>
                    ${
                      closed
                        ? nothing
                        : html`<button type="button" class="quiet" @click=${() => onRules(sub.token)}>
                            ${t.editRules}<span class="visually-hidden"> — ${sub.email}</span>
                          </button>`
                    }
                  </td>`
            }
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}
