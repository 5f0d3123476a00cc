import { html, nothing } from 'lit-html';
import type { TemplateResult } from 'lit-html';
import type { Controller } from '../controller.js';
import type { Language } from '../i18n.js';
import { accountView } from './account.js';
import { accountsView } from './accounts.js';
import { notFound } from './bits.js';
import { dialogView } from './dialog.js';
import { signInView } from './sign-in.js';

export function appView(c: Controller): TemplateResult {
  const { state, t } = c;
  return html`
    <a class="skip" href="#content">${t.skipToContent}</a>
    <header class="bar">
      <span class="brand">${t.appName}</span>
      <div class="bar-tools">
        ${languageSwitch(c)}
        ${
          state.signedIn
            ? html`<button type="button" class="quiet" @click=${() => c.signOut()}>${t.signOut}</button>`
            : nothing
        }
      </div>
    </header>
    <main id="content">
      <p class="notice" role="status" aria-live="polite">${state.notice ?? ''}</p>
      ${state.signedIn ? page(c) : signInView(c)}
    </main>
    ${state.dialog !== null ? dialogView(c, state.dialog) : nothing}
  `;
}

function page(c: Controller): TemplateResult {
  const route = c.state.route;
  if (route.page === 'accounts') return accountsView(c);
  if (route.page === 'account' && c.state.account !== null) return accountView(c, c.state.account);
  return notFound(c, c.t.notFoundPage, true);
}

function languageSwitch(c: Controller): TemplateResult {
  const choose = (event: Event) => c.setLanguage((event.target as HTMLSelectElement).value as Language);
  return html`<label class="inline"
    >${c.t.language}
    <select @change=${choose} .value=${c.state.language}>
      <option value="fr" ?selected=${c.state.language === 'fr'}>Français</option>
      <option value="en" ?selected=${c.state.language === 'en'}>English</option>
    </select>
  </label>`;
}

/** The API's refusal in words, announced to screen readers as it appears. */
export function errorLine(message: string | null): TemplateResult | typeof nothing {
  return message === null ? nothing : html`<p class="error" role="alert">${message}</p>`;
}
