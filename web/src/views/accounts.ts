import { html, nothing } from 'lit-html';
import type { TemplateResult } from 'lit-html';
import type { Account, Subaccount } from '../api.js';
import type { Controller } from '../controller.js';
import { formatDateTime, formatMoney } from '../format.js';
import type { Messages } from '../i18n.js';
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
  return html`<div class="page-head">
      <h1 tabindex="-1">${t.accounts}</h1>
      <button type="button" @click=${() => c.openDialog('create')}>${t.newAccount}</button>
    </div>
    <form class="row" role="search" @submit=${submit}>
      <label for="search">${t.searchEmail}</label>
      <input id="search" name="search" type="search" .value=${accounts.search} inputmode="email" />
      <button type="submit">${t.search}</button>
    </form>
    ${errorLine(accounts.error)}
    ${accounts.items.length === 0 && !accounts.loading ? html`<p>${t.noAccounts}</p>` : nothing}
    <ul class="accounts" aria-busy=${accounts.loading ? 'true' : 'false'}>
      ${accounts.items.map((account) => accountRow(c, account))}
    </ul>
    ${accounts.loading ? html`<p class="help">${t.loading}</p>` : nothing}
    ${
      accounts.nextCursor !== null && !accounts.loading
        ? html`<button type="button" class="quiet" @click=${() => void c.moreAccounts()}>
            ${t.loadMore}
          </button>`
        : nothing
    }`;
}

function accountRow(c: Controller, account: Account): TemplateResult {
  const { t, state } = c;
  const lang = state.language;
  const expanded = state.accounts.expanded.get(account.id);
  const panelId = `subaccounts-${account.id}`;
  const low = isLow(account);
  return html`<li class="card account-row ${low ? 'low' : ''}" data-account-id=${account.id}>
    <div class="account-main">
      <a class="email" href="#/accounts/${account.id}">${account.email}</a>
      <span class="badge ${account.status}">${account.status === 'active' ? t.active : t.suspended}</span>
      ${low ? html`<span class="badge low" data-testid="low-balance">${t.lowBalance}</span>` : nothing}
    </div>
    <dl class="facts">
      <div>
        <dt>${t.balance}</dt>
        <dd class="money">${formatMoney(account.balance, lang)}</dd>
      </div>
      <div>
        <dt>${t.createdAt}</dt>
        <dd>${formatDateTime(account.createdAt, lang)}</dd>
      </div>
    </dl>
    ${
      account.subaccountCount > 0
        ? html`<button
            type="button"
            class="quiet"
            aria-expanded=${expanded !== undefined ? 'true' : 'false'}
            aria-controls=${panelId}
            @click=${() => void c.toggleSubaccounts(account.id)}
          >
            ${t.subaccounts} (${account.subaccountCount})
          </button>`
        : html`<p class="help">${t.noSubaccounts}</p>`
    }
    <div id=${panelId}>${expanded !== undefined ? subaccountPanel(t, lang, expanded) : nothing}</div>
  </li>`;
}

function subaccountPanel(
  t: Messages,
  lang: 'fr' | 'en',
  expanded: readonly Subaccount[] | 'loading' | { error: string },
): TemplateResult {
  if (expanded === 'loading') return html`<p class="help">${t.loading}</p>`;
  if ('error' in expanded) return html`<p class="error" role="alert">${expanded.error}</p>`;
  return subaccountTable(t, lang, expanded);
}

/**
 * Subaccounts with their balances and rules, closed ones marked so; those
 * below their low-balance threshold highlighted. With `onRules`, a button per
 * open subaccount edits its rules.
 */
export function subaccountTable(
  t: Messages,
  lang: 'fr' | 'en',
  subaccounts: readonly Subaccount[],
  onRules?: (token: string) => void,
): TemplateResult {
  if (subaccounts.length === 0) return html`<p class="help">${t.noSubaccounts}</p>`;
  return html`<div class="scroll">
    <table class="subaccounts">
      <caption class="visually-hidden">
        ${t.subaccounts}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t.email}</th>
          <th scope="col">${t.token_}</th>
          <th scope="col">${t.type}</th>
          <th scope="col" class="num">${t.balance}</th>
          <th scope="col" class="num">${t.held}</th>
          <th scope="col">${t.rules}</th>
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
            <td><code>${sub.token}</code></td>
            <td>${sub.type}</td>
            <td class="num money">${formatMoney(sub.balance, lang)}</td>
            <td class="num money">${formatMoney(sub.held, lang)}</td>
            <td class="wrap">${closed ? '—' : rulesSummary(t, lang, sub.rules)}</td>
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
