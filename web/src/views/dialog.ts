import { html, nothing } from 'lit-html';
import type { TemplateResult } from 'lit-html';
import { actionName } from '../controller.js';
import { formatMoney, normalizeCredit } from '../format.js';
import type { Controller } from '../controller.js';
import type { Dialog, DialogFields } from '../state.js';
import { errorLine } from './layout.js';
import { rulesOfFields } from '../controller.js';
import { rulesSummary } from './rules-holds.js';

/**
 * Every action runs in a native <dialog> opened with showModal(): the browser
 * traps focus in it, Escape cancels it and the page behind is inert.
 */
export function dialogView(c: Controller, dialog: Dialog): TemplateResult {
  const cancel = (event: Event) => {
    event.preventDefault();
    if (!dialog.busy) c.closeDialog();
  };
  return html`<dialog id="action-dialog" aria-labelledby="dialog-title" @cancel=${cancel}>
    <h2 id="dialog-title">${actionName(c.t, dialog.kind)}</h2>
    ${dialog.step === 'form' ? formStep(c, dialog) : dialog.step === 'confirm' ? confirmStep(c, dialog) : keyStep(c, dialog)}
  </dialog>`;
}

function formStep(c: Controller, dialog: Dialog): TemplateResult {
  const { t } = c;
  const fields = dialog.fields;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    // Only the fields this form shows; the others keep what the dialog opened with.
    const read = Object.fromEntries([...form.entries()].map(([name, value]) => [name, String(value)]));
    const credit = read['credit'];
    c.review({ ...fields, ...read, ...(credit === undefined ? {} : { credit: normalizeCredit(credit) }) });
  };
  const buttons = html`<div class="dialog-buttons">
    <button type="button" class="quiet" @click=${() => c.closeDialog()}>${t.cancel}</button>
    <button type="submit">${t.continue}</button>
  </div>`;
  if (dialog.kind === 'rules') return html`<form @submit=${submit}>${rulesForm(c, fields)} ${buttons}</form>`;
  if (dialog.kind === 'capture') {
    return html`<form @submit=${submit}>
      <label for="d-credit">${t.captureAmount}</label>
      <input
        id="d-credit"
        name="credit"
        type="text"
        inputmode="decimal"
        autocomplete="off"
        autofocus
        .value=${fields.credit}
      />
      ${buttons}
    </form>`;
  }
  const subaccounts = (c.state.account?.subaccounts ?? []).filter((sub) => sub.status !== 'closed');
  return html`<form @submit=${submit}>
    ${
      dialog.kind === 'create'
        ? html`<label for="d-email">${t.email}</label>
            <input id="d-email" name="email" type="email" required .value=${fields.email} autofocus />`
        : nothing
    }
    ${
      dialog.kind === 'charge'
        ? html`<label for="d-target">${t.chargeTarget}</label>
            <select id="d-target" name="tokenSubaccount">
              <option value="" ?selected=${fields.tokenSubaccount === ''}>${t.mainAccount}</option>
              ${subaccounts.map(
                (sub) =>
                  html`<option value=${sub.token} ?selected=${fields.tokenSubaccount === sub.token}>
                    ${sub.email}
                  </option>`,
              )}
            </select>`
        : nothing
    }
    <label for="d-credit">${dialog.kind === 'create' ? t.initialCredit : t.credit}</label>
    <input
      id="d-credit"
      name="credit"
      type="text"
      inputmode="decimal"
      autocomplete="off"
      ?required=${dialog.kind !== 'create'}
      ?autofocus=${dialog.kind !== 'create'}
      .value=${fields.credit}
    />
    <label for="d-reason">${t.reasonOptional}</label>
    <input id="d-reason" name="reason" type="text" maxlength="255" .value=${fields.reason} />
    ${buttons}
  </form>`;
}

/** The three rules at once; an empty amount is no rule. A main account has no automatic top-up. */
function rulesForm(c: Controller, fields: DialogFields): TemplateResult {
  const { t } = c;
  const amountInput = (id: string, name: keyof DialogFields, value: string, autofocus = false) =>
    html`<input
      id=${id}
      name=${name}
      type="text"
      inputmode="decimal"
      autocomplete="off"
      ?autofocus=${autofocus}
      .value=${value}
    />`;
  return html`<p class="help">${t.rulesHelp}</p>
    <label for="d-low">${t.lowBalanceField}</label>
    ${amountInput('d-low', 'lowBalance', fields.lowBalance, true)}
    ${
      fields.tokenSubaccount === ''
        ? nothing
        : html`<label for="d-topup-below">${t.topupBelowField}</label>
            ${amountInput('d-topup-below', 'topupBelow', fields.topupBelow)}
            <label for="d-topup-mode">${t.topupModeField}</label>
            <div class="row">
              ${choice('d-topup-mode', 'topupMode', fields.topupMode, t.topupModes)}
              <label for="d-topup-amount" class="visually-hidden">${t.topupAmountField}</label>
              ${amountInput('d-topup-amount', 'topupAmount', fields.topupAmount)}
            </div>`
    }
    <label for="d-cap">${t.capAmountField}</label>
    <div class="row">
      ${amountInput('d-cap', 'capAmount', fields.capAmount)}
      <label for="d-cap-period" class="inline">${t.capPeriodField}</label>
      ${choice('d-cap-period', 'capPeriod', fields.capPeriod, t.periods)}
    </div>`;
}

/** A <select> of a few values, each with its words. */
function choice<V extends string>(id: string, name: string, selected: V, labels: Record<V, string>) {
  return html`<select id=${id} name=${name}>
    ${(Object.keys(labels) as V[]).map(
      (value) => html`<option value=${value} ?selected=${selected === value}>${labels[value]}</option>`,
    )}
  </select>`;
}

function confirmStep(c: Controller, dialog: Dialog): TemplateResult {
  const { t } = c;
  const statusChange = dialog.kind === 'suspend' || dialog.kind === 'resume';
  const cancelButton = html`<button
    type="button"
    class="quiet"
    ?disabled=${dialog.busy}
    @click=${() => c.closeDialog()}
  >
    ${t.cancel}
  </button>`;
  if (statusChange) {
    // Suspend and resume have no form step: the optional reason is asked here, and Enter confirms.
    const submit = (event: SubmitEvent) => {
      event.preventDefault();
      const form = new FormData(event.target as HTMLFormElement);
      void c.confirm(String(form.get('reason') ?? ''));
    };
    return html`<form @submit=${submit}>
      <p class="confirm-text">${question(c, dialog)}</p>
      <label for="d-action-reason">${t.reasonOptional}</label>
      <input
        id="d-action-reason"
        name="reason"
        type="text"
        maxlength="500"
        autocomplete="off"
        ?readonly=${dialog.busy}
        autofocus
        .value=${dialog.fields.reason}
      />
      ${errorLine(dialog.error)}
      <div class="dialog-buttons">
        ${cancelButton}
        <button type="submit" class=${dialog.kind === 'suspend' ? 'danger' : ''} ?disabled=${dialog.busy}>
          ${t.confirm}
        </button>
      </div>
    </form>`;
  }
  // A void has nothing to edit: it is confirmed or cancelled.
  const editButton =
    dialog.kind === 'void'
      ? nothing
      : html`<button type="button" class="quiet" ?disabled=${dialog.busy} @click=${() => c.edit()}>
          ${t.back}
        </button>`;
  return html`<p class="confirm-text">${question(c, dialog)}</p>
    ${dialog.kind === 'rules' ? html`<p class="confirm-text" data-testid="rules-summary">${rulesSummary(t, c.state.language, rulesOfFields(dialog.fields))}</p>` : nothing}
    ${errorLine(dialog.error)}
    <div class="dialog-buttons">
      ${editButton} ${cancelButton}
      <button type="button" ?disabled=${dialog.busy} autofocus @click=${() => void c.confirm()}>
        ${t.confirm}
      </button>
    </div>`;
}

function question(c: Controller, dialog: Dialog): string {
  const { t } = c;
  const email = c.state.account?.account?.email ?? '';
  // The amount is shown as typed: the API decides whether it is valid and says why not.
  const credit = dialog.fields.credit;
  switch (dialog.kind) {
    case 'create':
      return t.confirmCreate(dialog.fields.email.trim(), credit);
    case 'topup':
      return t.confirmTopUp(email, credit);
    case 'charge': {
      const sub = c.state.account?.subaccounts.find((s) => s.token === dialog.fields.tokenSubaccount);
      return t.confirmCharge(sub?.email ?? `${t.mainAccount} ${email}`, credit);
    }
    case 'suspend':
      return t.confirmSuspend(email);
    case 'resume':
      return t.confirmResume(email);
    case 'rules': {
      const sub = c.state.account?.subaccounts.find((s) => s.token === dialog.fields.tokenSubaccount);
      return t.confirmRules(sub?.email ?? `${t.mainAccount} ${email}`);
    }
    case 'capture':
    case 'void': {
      const hold = c.state.account?.holds.find((h) => h.id === dialog.fields.holdId);
      const amount = hold === undefined ? dialog.fields.holdId : formatMoney(hold.amount, c.state.language);
      return dialog.kind === 'void' ? t.confirmVoid(amount) : t.confirmCapture(credit, amount);
    }
  }
}

function keyStep(c: Controller, dialog: Dialog): TemplateResult {
  const { t } = c;
  const copyLabel = dialog.copy === 'copied' ? t.copied : t.copy;
  return html`<p>${t.keyOnce}</p>
    <label for="d-key">${t.keyTitle}</label>
    <div class="row">
      <input id="d-key" type="text" readonly .value=${dialog.apiKey ?? ''} @focus=${selectAll} />
      <button type="button" autofocus @click=${() => void c.copyKey()}>${copyLabel}</button>
    </div>
    ${dialog.copy === 'failed' ? html`<p class="error" role="alert">${t.copyFailed}</p>` : nothing}
    <p class="notice" role="status">${dialog.copy === 'copied' ? t.copied : ''}</p>
    <div class="dialog-buttons">
      ${
        dialog.createdId !== null
          ? html`<a class="button quiet" href="#/accounts/${dialog.createdId}" @click=${() => c.closeDialog()}
              >${t.openAccount}</a
            >`
          : nothing
      }
      <button type="button" @click=${() => c.closeDialog()}>${t.close}</button>
    </div>`;
}

function selectAll(event: FocusEvent): void {
  (event.target as HTMLInputElement).select();
}
