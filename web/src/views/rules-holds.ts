import { html, nothing } from 'lit-html';
import type { TemplateResult } from 'lit-html';
import type { Hold, Rules } from '../api.js';
import type { Controller } from '../controller.js';
import { formatDateTime, formatMoney, micros, microsText, shortToken } from '../format.js';
import { money } from './bits.js';
import type { Language, Messages } from '../i18n.js';
import type { AccountPage } from '../state.js';
import { errorLine } from './layout.js';

/** An account's rules in words, or that it has none. */
export function rulesSummary(t: Messages, lang: Language, rules: Rules): string {
  const money = (text: string) => formatMoney(text, lang);
  const parts: string[] = [];
  if (rules.lowBalance !== null) parts.push(t.ruleLow(money(rules.lowBalance)));
  const topup = rules.autoTopup;
  if (topup !== null) {
    parts.push(
      'add' in topup
        ? t.ruleTopupAdd(money(topup.below), money(topup.add))
        : t.ruleTopupTo(money(topup.below), money(topup.to)),
    );
  }
  if (rules.spendingCap !== null) {
    parts.push(t.ruleCap(money(rules.spendingCap.amount), t.periods[rules.spendingCap.period]));
  }
  return parts.length === 0 ? t.noRules : parts.join(' · ');
}

/** Below its low-balance threshold: available (balance − held) under `lowBalance`, read exactly. */
export function isLow(account: { balance: string; held: string; rules: Rules }): boolean {
  const threshold = account.rules.lowBalance;
  if (threshold === null) return false;
  return exact(account.balance) - exact(account.held) < exact(threshold);
}

/** Available = balance − held, as exact decimal text. */
export function availableText(account: { balance: string; held: string }): string {
  return microsText(exact(account.balance) - exact(account.held));
}

const exact = (text: string): bigint => micros(text) ?? 0n;

/** The tree's holds, newest first, a pending one with its capture and void. */
export function holdsSection(c: Controller, page: AccountPage): TemplateResult {
  const { t, state } = c;
  const lang = state.language;
  const target = (hold: Hold) =>
    hold.tokenSubaccount === null
      ? t.mainAccount
      : (page.subaccounts.find((sub) => sub.token === hold.tokenSubaccount)?.email ??
        shortToken(hold.tokenSubaccount));
  return html`<section aria-labelledby="holds-title">
    <h2 id="holds-title">${t.holds}</h2>
    ${errorLine(page.holdsError)}
    ${
      page.holds.length === 0
        ? html`<p class="help">${t.noHolds}</p>`
        : html`<div class="scroll">
            <table class="holds">
              <caption class="visually-hidden">
                ${t.holds}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t.date}</th>
                  <th scope="col">${t.filterSubaccount}</th>
                  <th scope="col" class="num">${t.amount}</th>
                  <th scope="col" class="num">${t.captured}</th>
                  <th scope="col">${t.status}</th>
                  <th scope="col">${t.expiresAt}</th>
                  <th scope="col">${t.reason}</th>
                  <th scope="col"><span class="visually-hidden">${t.actions}</span></th>
                </tr>
              </thead>
              <tbody>
                ${page.holds.map(
                  (hold) =>
                    html`<tr data-hold-id=${hold.id}>
                      <td>${formatDateTime(hold.createdAt, lang)}</td>
                      <td>${target(hold)}</td>
                      <td class="num money">${money(hold.amount, lang)}</td>
                      <td class="num money">${money(hold.captured, lang)}</td>
                      <td><span class="kind hold-${hold.status}">${t.holdStatuses[hold.status]}</span></td>
                      <td>${formatDateTime(hold.expiresAt, lang)}</td>
                      <td>${hold.reason ?? ''}</td>
                      <td class="row-actions">
                        ${
                          hold.status === 'pending'
                            ? html`<button
                                  type="button"
                                  class="quiet"
                                  @click=${() => c.openDialog('capture', { holdId: hold.id })}
                                >
                                  ${t.capture}
                                </button>
                                <button
                                  type="button"
                                  class="quiet danger"
                                  @click=${() => c.openDialog('void', { holdId: hold.id })}
                                >
                                  ${t.void}
                                </button>`
                            : nothing
                        }
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    ${
      page.holdsNextCursor !== null
        ? html`<button type="button" class="quiet" @click=${() => void c.loadHolds(page.holdsNextCursor)}>
            ${t.loadMore}
          </button>`
        : nothing
    }
  </section>`;
}
