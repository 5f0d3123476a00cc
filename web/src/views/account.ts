import { html, nothing } from 'lit-html';
import type { TemplateResult } from 'lit-html';
import type { OperatorAction, Transfer } from '../api.js';
import { balancePoints, chartSvg, highest } from '../chart.js';
import type { Controller } from '../controller.js';
import { formatDateTime, formatMoney } from '../format.js';
import type { AccountPage } from '../state.js';
import { subaccountTable } from './accounts.js';
import { eventsSection, webhooksSection } from './events.js';
import { errorLine } from './layout.js';
import { availableText, holdsSection, isLow, rulesSummary } from './rules-holds.js';

const CHART_BOX = { width: 640, height: 200, padding: 8 };

export function accountView(c: Controller, page: AccountPage): TemplateResult {
  const { t, state } = c;
  const lang = state.language;
  const account = page.account;
  const title = account?.email ?? `${t.account} ${page.id}`;
  return html`<p><a href="#/accounts">${t.backToAccounts}</a></p>
    <div class="page-head">
      <h1 tabindex="-1">${title}</h1>
      ${
        account !== null
          ? html`<span class="badges">
              <span class="badge ${account.status}" data-testid="status"
                >${account.status === 'active' ? t.active : t.suspended}</span
              >
              ${isLow(account) ? html`<span class="badge low" data-testid="low-balance">${t.lowBalance}</span>` : nothing}
            </span>`
          : nothing
      }
    </div>
    ${errorLine(page.error)}
    ${page.loading && account === null ? html`<p class="help">${t.loading}</p>` : nothing}
    ${
      account !== null
        ? html`<dl class="facts big">
              <div>
                <dt>${t.mainBalance}</dt>
                <dd class="money" data-testid="balance">${formatMoney(account.balance, state.language)}</dd>
              </div>
              <div>
                <dt>${t.held}</dt>
                <dd class="money" data-testid="held">${formatMoney(account.held, state.language)}</dd>
              </div>
              <div>
                <dt>${t.available}</dt>
                <dd class="money" data-testid="available">${formatMoney(availableText(account), lang)}</dd>
              </div>
              <div>
                <dt>${t.createdAt}</dt>
                <dd>${formatDateTime(account.createdAt, state.language)}</dd>
              </div>
              <div>
                <dt>ID</dt>
                <dd>${account.id}</dd>
              </div>
            </dl>
            <section aria-labelledby="actions-title">
              <h2 id="actions-title" class="visually-hidden">${t.actions}</h2>
              <div class="actions">
                <button type="button" @click=${() => c.openDialog('topup')}>${t.topUp}</button>
                <button type="button" @click=${() => c.openDialog('charge')}>${t.charge}</button>
                ${
                  account.status === 'active'
                    ? html`<button type="button" class="danger" @click=${() => c.openDialog('suspend')}>
                        ${t.suspend}
                      </button>`
                    : html`<button type="button" @click=${() => c.openDialog('resume')}>${t.resume}</button>`
                }
              </div>
            </section>
            <section aria-labelledby="rules-title">
              <h2 id="rules-title">${t.rules}</h2>
              <p data-testid="rules">${rulesSummary(t, state.language, account.rules)}</p>
              <button type="button" class="quiet" @click=${() => c.openRules('')}>${t.editRules}</button>
            </section>
            <section aria-labelledby="subaccounts-title">
              <h2 id="subaccounts-title">${t.subaccounts}</h2>
              ${subaccountTable(t, state.language, page.subaccounts, (token) => c.openRules(token))}
            </section>
            ${holdsSection(c, page)} ${operatorActionsSection(c, page.actions)}`
        : nothing
    }
    ${chartSection(c, page)} ${historySection(c, page)} ${eventsSection(c, page)} ${webhooksSection(c, page)}`;
}

function chartSection(c: Controller, page: AccountPage): TemplateResult {
  const { t, state } = c;
  const bySubaccount = page.filter.tokenSubaccount !== '';
  const points = balancePoints(
    page.chartTransfers.map((transfer) => ({
      createdAt: transfer.createdAt,
      balanceAfter: bySubaccount ? transfer.subaccountBalanceAfter : transfer.mainBalanceAfter,
    })),
  );
  const movementCount = points.length;
  // With the whole history in hand, the line starts from the empty account.
  const oldest = points[0];
  if (page.chartComplete && page.filter.sinceDay === '' && oldest !== undefined) {
    points.unshift({ at: oldest.at, micros: 0n, label: '0' });
  }
  const top = highest(points);
  const first = points[0];
  const last = points[points.length - 1];
  return html`<section aria-labelledby="chart-title">
    <h2 id="chart-title">
      ${t.chart}${bySubaccount ? html` — <code>${page.filter.tokenSubaccount}</code>` : nothing}
    </h2>
    ${
      top === undefined || first === undefined || last === undefined
        ? html`<p class="help">${page.transfersLoading ? t.loading : t.chartEmpty}</p>`
        : html`<figure class="card chart-card">
            ${chartSvg(points, CHART_BOX, t.chartCaption(movementCount))}
            <figcaption>
              <span>${t.chartCaption(movementCount)}</span>
              <span>max ${formatMoney(top.label, state.language)}</span>
              <span
                >${formatDateTime(new Date(first.at).toISOString(), state.language)} →
                ${formatDateTime(new Date(last.at).toISOString(), state.language)}:
                ${formatMoney(last.label, state.language)}</span
              >
            </figcaption>
          </figure>`
    }
  </section>`;
}

function historySection(c: Controller, page: AccountPage): TemplateResult {
  const { t } = c;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    void c.applyFilter({
      tokenSubaccount: String(form.get('tokenSubaccount') ?? ''),
      sinceDay: String(form.get('since') ?? ''),
      untilDay: String(form.get('until') ?? ''),
    });
  };
  return html`<section aria-labelledby="history-title">
    <h2 id="history-title">${t.history}</h2>
    <form class="filters" @submit=${submit}>
      <div>
        <label for="f-sub">${t.filterSubaccount}</label>
        <select id="f-sub" name="tokenSubaccount">
          <option value="" ?selected=${page.filter.tokenSubaccount === ''}>${t.allSubaccounts}</option>
          ${page.subaccounts.map(
            (sub) =>
              html`<option value=${sub.token} ?selected=${page.filter.tokenSubaccount === sub.token}>
                ${sub.email}
              </option>`,
          )}
        </select>
      </div>
      <div>
        <label for="f-since">${t.since} (UTC)</label>
        <input id="f-since" name="since" type="date" .value=${page.filter.sinceDay} />
      </div>
      <div>
        <label for="f-until">${t.until} (UTC)</label>
        <input id="f-until" name="until" type="date" .value=${page.filter.untilDay} />
      </div>
      <div class="filter-buttons">
        <button type="submit">${t.applyFilters}</button>
        <button type="button" class="quiet" ?disabled=${page.csvBusy} @click=${() => void c.downloadCsv()}>
          ${t.downloadCsv}
        </button>
      </div>
    </form>
    ${errorLine(page.transfersError)} ${transferTable(c, page.transfers)}
    ${page.transfersLoading ? html`<p class="help">${t.loading}</p>` : nothing}
    ${
      page.nextCursor !== null && !page.transfersLoading
        ? html`<button type="button" class="quiet" @click=${() => void c.moreTransfers()}>
            ${t.loadMore}
          </button>`
        : nothing
    }
  </section>`;
}

/** The append-only audit trail of suspend, resume and rotate-key, newest first. */
function operatorActionsSection(c: Controller, actions: readonly OperatorAction[]): TemplateResult {
  const { t, state } = c;
  return html`<section aria-labelledby="operator-actions-title">
    <h2 id="operator-actions-title">${t.operatorActions}</h2>
    ${
      actions.length === 0
        ? html`<p class="help">${t.noOperatorActions}</p>`
        : html`<div class="scroll">
            <table class="operator-actions">
              <caption class="visually-hidden">
                ${t.operatorActions}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t.date}</th>
                  <th scope="col">${t.action}</th>
                  <th scope="col">${t.operator}</th>
                  <th scope="col">${t.reason}</th>
                </tr>
              </thead>
              <tbody>
                ${actions.map(
                  (entry) =>
                    html`<tr data-action-id=${entry.id}>
                      <td>${formatDateTime(entry.createdAt, state.language)}</td>
                      <td><span class="kind ${entry.action}">${t.actionKinds[entry.action]}</span></td>
                      <td>${entry.operator === '' ? '—' : entry.operator}</td>
                      <td class="wrap">${entry.reason ?? '—'}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </section>`;
}

function transferTable(c: Controller, transfers: readonly Transfer[]): TemplateResult {
  const { t, state } = c;
  const lang = state.language;
  if (transfers.length === 0) return html`<p class="help">${t.noTransfers}</p>`;
  const money = (text: string | null) => (text === null ? '—' : formatMoney(text, lang));
  return html`<div class="scroll">
    <table class="transfers">
      <caption class="visually-hidden">
        ${t.history}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t.date}</th>
          <th scope="col">${t.kind}</th>
          <th scope="col" class="num">${t.amount}</th>
          <th scope="col" class="num">${t.balanceAfter}</th>
          <th scope="col">${t.filterSubaccount}</th>
          <th scope="col" class="num">${t.subaccountBalanceAfter}</th>
          <th scope="col">${t.reason}</th>
          <th scope="col">${t.operator}</th>
        </tr>
      </thead>
      <tbody>
        ${transfers.map(
          (transfer) =>
            html`<tr data-transfer-id=${transfer.id}>
              <td>${formatDateTime(transfer.createdAt, lang)}</td>
              <td><span class="kind ${transfer.kind}">${t.kinds[transfer.kind]}</span></td>
              <td class="num money">${money(transfer.amount)}</td>
              <td class="num money">${money(transfer.mainBalanceAfter)}</td>
              <td>
                ${transfer.tokenSubaccount === null ? '—' : html`<code>${transfer.tokenSubaccount}</code>`}
              </td>
              <td class="num money">${money(transfer.subaccountBalanceAfter)}</td>
              <td>${transfer.reason ?? ''}</td>
              <td>${transfer.operator ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
