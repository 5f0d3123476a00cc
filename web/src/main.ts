import { render } from 'lit-html';
import { syncChart } from './chart.js';
import type { ChartHost } from './chart.js';
import { Controller } from './controller.js';
import { initialLanguage } from './i18n.js';
import { newAccountsPage, parseRoute } from './state.js';
import type { State } from './state.js';
import { appView } from './views/layout.js';
import './styles.css';

const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app element');

const state: State = {
  language: initialLanguage(navigator.languages),
  signedIn: false,
  signingIn: false,
  signInError: null,
  route: parseRoute(location.hash),
  notice: null,
  copiedToken: null,
  accounts: newAccountsPage(),
  account: null,
  dialog: null,
};

let scheduled = false;
/** Renders once per frame however many changes an action makes. */
function requestRender(): void {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    paint();
  });
}

function paint(): void {
  document.documentElement.lang = state.language;
  document.title = controller.t.appName;
  render(appView(controller), root!);
  syncDialog();
  syncChart(document.querySelector<ChartHost>('#balance-chart'));
}

let shownStep: string | null = null;
/**
 * lit-html renders the <dialog>; opening it modally is an imperative call, and
 * so is moving focus when it goes from one step to the next.
 */
function syncDialog(): void {
  const dialog = document.querySelector<HTMLDialogElement>('#action-dialog');
  const step = state.dialog === null ? null : `${state.dialog.kind}:${state.dialog.step}`;
  if (dialog !== null && !dialog.open) dialog.showModal();
  else if (dialog !== null && step !== shownStep) dialog.querySelector<HTMLElement>('[autofocus]')?.focus();
  shownStep = step;
}

const controller = new Controller(state, requestRender);
window.addEventListener('hashchange', () => {
  if (state.signedIn) controller.navigate(location.hash, true);
});
paint();
