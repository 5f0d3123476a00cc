import { html } from 'lit-html';
import type { TemplateResult } from 'lit-html';
import type { Controller } from '../controller.js';
import { errorLine } from './layout.js';

export function signInView(c: Controller): TemplateResult {
  const { state, t } = c;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    void c.signIn(String(form.get('token') ?? ''), String(form.get('operator') ?? ''));
  };
  return html`<section class="card narrow">
    <h1 tabindex="-1">${t.signInTitle}</h1>
    <p class="help" id="token-help">${t.signInHelp}</p>
    <form @submit=${submit} autocomplete="off">
      <label for="token">${t.token}</label>
      <input
        id="token"
        name="token"
        type="password"
        required
        autocomplete="off"
        spellcheck="false"
        aria-describedby="token-help"
        autofocus
      />
      <label for="operator">${t.operatorName}</label>
      <input id="operator" name="operator" type="text" maxlength="64" autocomplete="name" />
      ${errorLine(state.signInError)}
      <button type="submit" ?disabled=${state.signingIn}>${state.signingIn ? t.signingIn : t.signIn}</button>
    </form>
  </section>`;
}
