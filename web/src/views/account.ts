import { html, nothing } from 'lit-html';
import type { TemplateResult } from 'lit-html';
import type { OperatorAction, Transfer } from '../api.js';
import type { ChartSpec } from '../chart.js';
import { balancePoints, CHART_RANGES, chartColumns, rangeStart } from '../chart-data.js';
import type { Controller } from '../controller.js';
import { formatDateTime, formatDayText, timeZoneName, zoneOffset } from '../format.js';
import type { AccountPage } from '../state.js';
import { subaccountTable } from './accounts.js';
import { money, notFound, tokenChip } from './bits.js';
import { eventsSection, webhooksSection } from './events.js';
import { errorLine } from './layout.js';
import { availableText, holdsSection, isLow, rulesSummary } from './rules-holds.js';

export function accountView(c: Controller, page: AccountPage): TemplateResult {
  const { t, state } = c;
  const lang = state.language;
  const account = page.account;
  if (page.notFound) return notFound(c, t.notFoundAccount(page.id), true);
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
                <dd class="money" data-testid="balance">${money(account.balance, lang)}</dd>
              </div>
              <div>
                <dt>${t.held}</dt>
                <dd class="money" data-testid="held">${money(account.held, lang)}</dd>
              </div>
              <div>
                <dt>${t.available}</dt>
                <dd class="money" data-testid="available">${money(availableText(account), lang)}</dd>
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
                <button type="button" class="quiet" @click=${() => c.openDialog('subaccount')}>
                  ${t.newSubaccount}
                </button>
                <button type="button" class="quiet" @click=${() => c.openDialog('rotate')}>
                  ${t.rotateKey}
                </button>
              </div>
            </section>
            <section aria-labelledby="rules-title">
              <h2 id="rules-title">${t.rules}</h2>
              <p data-testid="rules">${rulesSummary(t, state.language, account.rules)}</p>
              <button type="button" class="quiet" @click=${() => c.openRules('')}>${t.editRules}</button>
            </section>
            <section aria-labelledby="subaccounts-title">
              <h2 id="subaccounts-title">${t.subaccounts}</h2>
              ${subaccountTable(c, page.subaccounts, (token) => c.openRules(token))}
            </section>
            ${holdsSection(c, page)} ${operatorActionsSection(c, page.actions)}`
        : nothing
    }
    ${chartSection(c, page)} ${historySection(c, page)} ${eventsSection(c, page)} ${webhooksSection(c, page)}`;
}

/** The subaccount of this page with this token, by its email; the token shortened when unknown. */
function subaccountLabel(c: Controller, page: AccountPage, token: string): TemplateResult | string {
  const sub = page.subaccounts.find((item) => item.token === token);
  return sub === undefined ? tokenChip(c, token) : sub.email;
}

function chartSection(c: Controller, page: AccountPage): TemplateResult {
  const { t, state } = c;
  const lang = state.language;
  const token = page.filter.tokenSubaccount;
  const points = balancePoints(
    page.chartTransfers.map((transfer) => ({
      createdAt: transfer.createdAt,
      balanceAfter: token !== '' ? transfer.subaccountBalanceAfter : transfer.mainBalanceAfter,
    })),
  );
  const movementCount = points.length;
  // With the whole history in hand, the line starts from the empty account.
  const oldest = points[0];
  if (page.chartComplete && page.filter.sinceDay === '' && oldest !== undefined) {
    points.unshift({ at: oldest.at, micros: 0n, label: '0' });
  }
  const now = Date.now();
  const columns = chartColumns(points, now);
  const start = rangeStart(page.chartRange, now);
  const first = points[0];
  const from = start === undefined || (first !== undefined && first.at > start) ? first?.at : start;
  const spec: ChartSpec = {
    key: [
      page.id,
      token,
      page.filter.sinceDay,
      page.filter.untilDay,
      page.chartRange,
      lang,
      movementCount,
      points.at(-1)?.label,
    ].join('|'),
    ...columns,
    language: lang,
    seriesLabel: t.balance,
    dateLabel: t.date,
    from: start === undefined ? undefined : start / 1000,
    to: now / 1000,
  };
  const rangeButtons = html`<div class="chart-ranges" role="group" aria-label=${t.chartRange}>
    ${CHART_RANGES.map(
      (range) =>
        html`<button
          type="button"
          class="quiet"
          aria-pressed=${page.chartRange === range ? 'true' : 'false'}
          @click=${() => c.setChartRange(range)}
        >
          ${t.chartRanges[range]}
        </button>`,
    )}
  </div>`;
  return html`<section aria-labelledby="chart-title">
    <h2 id="chart-title">
      ${t.chart}${token !== '' ? html` — ${subaccountLabel(c, page, token)}` : nothing}
    </h2>
    ${
      first === undefined || from === undefined
        ? html`<p class="help">${page.transfersLoading ? t.loading : t.chartEmpty}</p>`
        : html`<figure class="card chart-card">
            ${rangeButtons}
            <div
              id="balance-chart"
              class="chart"
              role="img"
              aria-label=${t.chartCaption(movementCount)}
              .chartSpec=${spec}
            ></div>
            <figcaption>
              <span data-testid="chart-span"
                >${t.chartSpan(formatDateTime(from, lang), formatDateTime(now, lang))}</span
              >
              <span
                >${t.chartCaption(movementCount)}${page.chartComplete ? '' : ` — ${t.chartPartial(movementCount)}`}</span
              >
              <span class="help">${t.chartZoomHelp}</span>
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
      since: String(form.get('since') ?? ''),
      until: String(form.get('until') ?? ''),
    });
  };
  const zone = timeZoneName();
  return html`<section aria-labelledby="history-title">
    <h2 id="history-title">${t.history}</h2>
    <p class="help" data-testid="time-zone">${t.timeZoneNote(zone, zoneOffset(new Date()))}</p>
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
      ${dayField(c, 'since', t.since, page.filter.sinceDay)}
      ${dayField(c, 'until', t.until, page.filter.untilDay)}
      <div class="filter-buttons">
        <button type="submit">${t.applyFilters}</button>
        <button type="button" class="quiet" ?disabled=${page.csvBusy} @click=${() => void c.downloadCsv()}>
          ${t.downloadCsv}
        </button>
      </div>
    </form>
    ${errorLine(page.filterError)} ${errorLine(page.transfersError)} ${transferTable(c, page)}
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

/** A filter day, typed in the language's one format (or ISO), read in the browser's zone. */
function dayField(c: Controller, name: 'since' | 'until', words: string, day: string): TemplateResult {
  const { t } = c;
  return html`<div>
    <label for="f-${name}">${words} (${t.dayFormat}, ${timeZoneName()})</label>
    <input
      id="f-${name}"
      name=${name}
      type="text"
      inputmode="numeric"
      autocomplete="off"
      placeholder=${t.dayFormat}
      .value=${formatDayText(day, c.state.language)}
    />
  </div>`;
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

/**
 * On a phone the date, kind, amount and balances stay; the subaccount moves under the kind, and
 * reason and operator are for wider screens.
 */
function transferTable(c: Controller, page: AccountPage): TemplateResult {
  const { t, state } = c;
  const lang = state.language;
  const transfers: readonly Transfer[] = page.transfers;
  if (transfers.length === 0) {
    // A page filtered by date reads a bounded number of transfers: none found yet is not none at all.
    return html`<p class="help">${page.nextCursor === null ? t.noTransfers : t.noTransfersYet}</p>`;
  }
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
          <th scope="col" class="sub-col">${t.filterSubaccount}</th>
          <th scope="col" class="num">${t.subaccountBalanceAfter}</th>
          <th scope="col" class="wide-only">${t.reason}</th>
          <th scope="col" class="wide-only">${t.operator}</th>
        </tr>
      </thead>
      <tbody>
        ${transfers.map(
          (transfer) =>
            html`<tr data-transfer-id=${transfer.id}>
              <td class="date">${formatDateTime(transfer.createdAt, lang)}</td>
              <td>
                <span class="kind ${transfer.kind}">${t.kinds[transfer.kind]}</span>
                ${
                  transfer.tokenSubaccount === null
                    ? nothing
                    : html`<span class="phone-only"
                        >${subaccountLabel(c, page, transfer.tokenSubaccount)}</span
                      >`
                }
              </td>
              <td class="num money">${money(transfer.amount, lang)}</td>
              <td class="num money">${money(transfer.mainBalanceAfter, lang)}</td>
              <td class="sub-col">
                ${transfer.tokenSubaccount === null ? '—' : subaccountLabel(c, page, transfer.tokenSubaccount)}
              </td>
              <td class="num money">${money(transfer.subaccountBalanceAfter, lang)}</td>
              <td class="wide-only">${transfer.reason ?? ''}</td>
              <td class="wide-only">${transfer.operator ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
