import { html } from 'lit-html';
import type { TemplateResult } from 'lit-html';
import type { Controller } from '../controller.js';
import { formatMoney, formatMoneyExact, shortToken } from '../format.js';
import type { Language } from '../i18n.js';

/** An amount with two decimals; the exact value on hover (and for screen readers, in the title). */
export function money(text: string | null, lang: Language): TemplateResult | string {
  if (text === null) return '—';
  return html`<span class="amount" title=${formatMoneyExact(text, lang)}>${formatMoney(text, lang)}</span>`;
}

/** A token shortened to its ends; a click copies the whole of it. */
export function tokenChip(c: Controller, token: string): TemplateResult {
  const copied = c.state.copiedToken === token;
  return html`<button
    type="button"
    class="token"
    title=${token}
    aria-label=${c.t.copyToken(token)}
    data-token-copy=${token}
    @click=${() => void c.copyToken(token)}
  >
    <code>${shortToken(token)}</code>${copied ? html` <span class="copied">${c.t.tokenCopied}</span>` : ''}
  </button>`;
}

/** The one way the console says that what was asked for does not exist. */
export function notFound(c: Controller, message: string, heading: boolean): TemplateResult {
  return html`<section class="not-found" data-testid="not-found">
    ${heading ? html`<h1 tabindex="-1">${c.t.notFoundTitle}</h1>` : ''}
    <p>${message}</p>
    ${heading ? html`<p><a href="#/accounts">${c.t.backToAccounts}</a></p>` : ''}
  </section>`;
}
