import type { Account, Hold, Transfer } from './api.js';
import { formatMoney } from './format.js';
import type { Language, Messages } from './i18n.js';
import type { AccountPage } from './state.js';

/**
 * The sentence that confirms a done action, with the figures the API
 * answered ("Crédité 500,00 € — nouveau solde 1 250,50 €"). It stays in the
 * page's status line until the next action or page.
 */
export const notice = {
  /** Whom an action is about: a subaccount by its email, else the main account. */
  target(t: Messages, page: AccountPage, tokenSubaccount: string): string {
    const sub = page.subaccounts.find((item) => item.token === tokenSubaccount);
    return sub?.email ?? `${t.mainAccount} ${page.account?.email ?? page.id}`;
  },

  moved(
    t: Messages,
    lang: Language,
    kind: 'topup' | 'charge',
    target: string,
    moved: { transfer: Transfer; account: Account },
  ): string {
    const { transfer, account } = moved;
    const after = transfer.tokenSubaccount === null ? account.balance : transfer.subaccountBalanceAfter;
    const [amount, balance] = [formatMoney(transfer.amount, lang), formatMoney(after ?? '', lang)];
    return kind === 'topup' ? t.doneTopUp(amount, balance) : t.doneCharge(amount, target, balance);
  },

  status(t: Messages, account: Account): string {
    return account.status === 'suspended' ? t.doneSuspend(account.email) : t.doneResume(account.email);
  },

  settled(t: Messages, lang: Language, hold: Hold): string {
    const amount = formatMoney(hold.amount, lang);
    return hold.status === 'captured'
      ? t.doneCapture(formatMoney(hold.captured, lang), amount)
      : t.doneVoid(amount);
  },

  created(t: Messages, lang: Language, account: Account): string {
    return t.doneCreate(account.email, formatMoney(account.balance, lang));
  },

  subaccount(t: Messages, lang: Language, email: string, credit: string): string {
    return t.doneSubaccount(email, formatMoney(credit === '' ? '0' : credit, lang));
  },
};
