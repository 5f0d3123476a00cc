import { formatMicros, parseAmount } from '../src/domain/money.js';
import type { Store } from '../src/domain/store.js';
import * as operator from '../src/app/operator.js';
import * as rules from '../src/app/rules.js';
import type { RulesPatch } from '../src/domain/rules.js';
import { createSubaccount } from '../src/app/subaccounts.js';
import { hashApiKey } from '../src/app/keys.js';
import type { CreditOp } from './operations.js';

interface BankSubaccount {
  readonly id: number;
  readonly token: string;
}

export interface BankMain {
  readonly accountId: number;
  readonly apiKey: string;
  readonly subaccounts: readonly BankSubaccount[];
}

/**
 * The balance rules the bank run puts on each tree (contract section 8): its
 * first subaccount is topped up automatically before a charge would leave it
 * under 10 EUR (to 15 EUR), its second may not be charged more than 2 EUR a
 * UTC day, and the main account tells when it falls under 50 EUR. Set so
 * that a short run meets each of them.
 */
export const TOPUP_BELOW_MICROS = 10_000_000n;
const TOPUP_TO_MICROS = 15_000_000n;
export const DAILY_CAP_MICROS = 2_000_000n;
const MAIN_LOW_BALANCE_MICROS = 50_000_000n;

const ABSENT = { kind: 'absent' } as const;
const money = (micros: bigint) => parseAmount(formatMicros(micros));

function patch(fields: Partial<Omit<RulesPatch, 'malformed'>>): RulesPatch {
  return { lowBalance: ABSENT, autoTopup: ABSENT, spendingCap: ABSENT, malformed: false, ...fields };
}

async function setBankRules(store: Store, main: BankMain): Promise<void> {
  const [topped, capped] = main.subaccounts;
  const changes: [string | undefined, RulesPatch][] = [
    [undefined, patch({ lowBalance: { kind: 'set', amount: money(MAIN_LOW_BALANCE_MICROS) } })],
    [
      topped?.token,
      patch({
        autoTopup: { kind: 'set', below: money(TOPUP_BELOW_MICROS), to: money(TOPUP_TO_MICROS), add: null },
      }),
    ],
    [capped?.token, patch({ spendingCap: { kind: 'set', amount: money(DAILY_CAP_MICROS), period: 'day' } })],
  ];
  for (const [tokenSubaccount, change] of changes) {
    const result = await rules.setRules(store, { mainAccountId: main.accountId, tokenSubaccount }, change);
    if (!result.ok) throw new Error(`setting the bank's rules failed with code ${result.code}`);
  }
}

/**
 * What the clients and the operator know happened, and nothing else: the
 * model the store's balances must equal at the end. Only definitive answers
 * (a 200, a refusal, a returned top-up) change it.
 */
export class BankModel {
  readonly balances = new Map<number, bigint>();
  /** Top-ups minus charges, as the operator saw them succeed. */
  fundedMicros = 0n;
  /**
   * Per main account, every top-up ever started (also those not yet
   * returned): no read of that account's money may exceed it.
   */
  readonly ceilings: bigint[];

  constructor(readonly mains: readonly BankMain[]) {
    this.ceilings = mains.map(() => 0n);
    for (const main of mains) {
      this.balances.set(main.accountId, 0n);
      for (const sub of main.subaccounts) this.balances.set(sub.id, 0n);
    }
  }

  private move(accountId: number, micros: bigint): void {
    const before = this.balances.get(accountId);
    if (before === undefined) throw new Error(`account ${accountId} is not in the model`);
    this.balances.set(accountId, before + micros);
  }

  toppedUp(mainIndex: number, micros: bigint): void {
    this.move(this.mains[mainIndex]!.accountId, micros);
    this.fundedMicros += micros;
  }

  charged(accountId: number, micros: bigint): void {
    this.move(accountId, -micros);
    this.fundedMicros -= micros;
  }

  /** An automatic top-up the operator's charge brought: main account → subaccount. */
  autoToppedUp(mainAccountId: number, subaccountId: number, micros: bigint): void {
    this.move(mainAccountId, -micros);
    this.move(subaccountId, micros);
  }

  acknowledged(op: CreditOp): void {
    const toSub = op.direction === 'add' ? op.amountMicros : -op.amountMicros;
    this.move(this.mains[op.mainIndex]!.accountId, -toSub);
    this.move(op.subaccountId, toSub);
  }
}

/** Main accounts opened by the operator with credit, each with simple subaccounts at zero. */
export async function seedBank(
  store: Store,
  mainCount: number,
  subaccountsPerMain: number,
  openingMicros: bigint,
): Promise<BankModel> {
  const mains: BankMain[] = [];
  for (let index = 0; index < mainCount; index += 1) {
    const created = await operator.createMainAccount(store, {
      email: `bank-${index}@soak.tirelire.invalid`,
      credit: formatMicros(openingMicros),
      operator: 'soak',
      reason: 'bank test opening',
    });
    if (!created.ok) throw new Error(`seeding main account ${index} failed with code ${created.code}`);
    const { apiKey, account } = created.value;
    const subaccounts: BankSubaccount[] = [];
    for (let sub = 0; sub < subaccountsPerMain; sub += 1) {
      const input = { type: 'simple', email: null, profile: {}, creditToAttribute: null } as const;
      const { outcome } = await createSubaccount(store, input, { keyHash: hashApiKey(apiKey) });
      if (!outcome.ok) throw new Error(`seeding a subaccount failed with code ${outcome.code}`);
      subaccounts.push({ id: outcome.account.id, token: outcome.account.token! });
    }
    const main = { accountId: account.id, apiKey, subaccounts };
    await setBankRules(store, main);
    mains.push(main);
  }
  const model = new BankModel(mains);
  mains.forEach((_, index) => {
    model.ceilings[index] = openingMicros;
    model.toppedUp(index, openingMicros);
  });
  return model;
}

/** Exact micros of a decimal text as the API writes it ("12.300", "-0.5"), or null. */
export function microsOfText(text: string): bigint | null {
  const negative = text.startsWith('-');
  const amount = parseAmount(negative ? text.slice(1) : text);
  if (amount.kind === 'invalid') return null;
  const micros = amount.kind === 'positive' ? amount.micros : 0n;
  return negative ? -micros : micros;
}
