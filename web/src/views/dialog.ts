import { html, nothing } from 'lit-html';
import type { TemplateResult } from 'lit-html';
import { actionName } from '../controller.js';
import { formatMoney } from '../format.js';
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
    c.review({ ...fields, ...read });
  };
  const buttons = html`${errorLine(dialog.fieldError)}
    <div class="dialog-buttons">
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
  const creating = dialog.kind === 'create' || dialog.kind === 'subaccount';
  return html`<form @submit=${submit}>
    ${
      creating
        ? html`<label for="d-email">${t.email}</label>
            <input id="d-email" name="email" type="email" required .value=${fields.email} autofocus />`
        : nothing
    }
    ${dialog.kind === 'subaccount' ? subaccountFields(c, fields) : nothing}
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
    <label for="d-credit">${creating ? t.initialCredit : t.credit}</label>
    <input
      id="d-credit"
      name="credit"
      type="text"
      inputmode="decimal"
      autocomplete="off"
      ?required=${!creating}
      ?autofocus=${!creating}
      .value=${fields.credit}
    />
    ${
      dialog.kind === 'subaccount'
        ? nothing
        : html`<label for="d-reason">${t.reasonOptional}</label>
            <input id="d-reason" name="reason" type="text" maxlength="255" .value=${fields.reason} />`
    }
    ${buttons}
  </form>`;
}

/** A subaccount's type; the operator API creates it under the account shown. */
function subaccountFields(c: Controller, fields: DialogFields): TemplateResult {
  const { t } = c;
  return html`<label for="d-sub-type">${t.subTypeField}</label>
    ${choice('d-sub-type', 'subType', fields.subType, t.subaccountTypes)}`;
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
  const statusChange = dialog.kind === 'suspend' || dialog.kind === 'resume' || dialog.kind === 'rotate';
  const cancelButton = html`<button
    type="button"
    class="quiet"
    ?disabled=${dialog.busy}
    @click=${() => c.closeDialog()}
  >
    ${t.cancel}
  </button>`;
  if (statusChange) {
    // Suspend, resume and rotate-key have no form step: the optional reason is asked here, and Enter confirms.
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
        <button type="submit" class=${dialog.kind === 'resume' ? '' : 'danger'} ?disabled=${dialog.busy}>
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
  const lang = c.state.language;
  const email = c.state.account?.account?.email ?? '';
  // The amount as the review read it, formatted; the API decides whether it is acceptable and says why not.
  const credit = dialog.fields.credit === '' ? null : formatMoney(dialog.fields.credit, lang);
  const target = () => {
    const sub = c.state.account?.subaccounts.find((s) => s.token === dialog.fields.tokenSubaccount);
    return sub?.email ?? `${t.mainAccount} ${email}`;
  };
  switch (dialog.kind) {
    case 'create':
      return t.confirmCreate(dialog.fields.email.trim(), credit);
    case 'topup':
      return t.confirmTopUp(email, credit ?? '');
    case 'charge':
      return t.confirmCharge(target(), credit ?? '');
    case 'suspend':
      return t.confirmSuspend(email);
    case 'resume':
      return t.confirmResume(email);
    case 'rotate':
      return t.confirmRotate(email);
    case 'rules':
      return t.confirmRules(target());
    case 'subaccount':
      return t.confirmSubaccount(
        dialog.fields.email.trim(),
        t.subaccountTypes[dialog.fields.subType],
        email,
        credit,
      );
    case 'capture':
    case 'void': {
      const hold = c.state.account?.holds.find((h) => h.id === dialog.fields.holdId);
      const amount = hold === undefined ? dialog.fields.holdId : formatMoney(hold.amount, lang);
      return dialog.kind === 'void' ? t.confirmVoid(amount) : t.confirmCapture(credit, amount);
    }
  }
}

function keyStep(c: Controller, dialog: Dialog): TemplateResult {
  const { t } = c;
  const copyLabel = dialog.copy === 'copied' ? t.copied : t.copy;
  const title =
    dialog.kind === 'rotate' || dialog.kind === 'subaccount' ? t.keyTitles[dialog.kind] : t.keyTitles.create;
  return html`<p>${t.keyOnce}</p>
    <label for="d-key">${title}</label>
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
