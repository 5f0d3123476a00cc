import { randomUUID } from 'node:crypto';
import type { EventType } from '../../src/domain/events.js';
import type { Store } from '../../src/domain/store.js';
import type { CreditOutcome, Direction, Transfer } from '../../src/domain/transfers.js';
import { parseAmount } from '../../src/domain/money.js';
import { generateApiKey, generateSubaccountToken, hashApiKey } from '../../src/app/keys.js';
import { newTransferId } from '../../src/app/ids.js';
import type { WebhookEndpoint } from '../../src/domain/webhooks.js';

export interface SeededMain {
  readonly accountId: number;
  readonly email: string;
  readonly apiKey: string;
  readonly keyHash: string;
}

/** A main account funded with `credit` EUR (decimal text) from the operator's funding account. */
export async function seedMain(store: Store, credit: string): Promise<SeededMain> {
  const apiKey = generateApiKey();
  const email = `main-${randomUUID()}@example.com`;
  const amount = parseAmount(credit);
  const outcome = await store.createMainAccount({
    email,
    keyHash: hashApiKey(apiKey),
    openingMicros: amount.kind === 'positive' ? amount.micros : 0n,
    transferId: newTransferId(),
    createdAt: new Date(),
    reason: 'seed',
    operator: 'test',
  });
  if (!outcome.ok) throw new Error(`seedMain failed with code ${outcome.code}`);
  return { accountId: outcome.account.id, email, apiKey, keyHash: hashApiKey(apiKey) };
}

/** A subaccount of `main`, given `credit` EUR from it when not "0". */
export async function seedSub(
  store: Store,
  main: SeededMain,
  credit = '0',
  type: 'simple' | 'advanced' = 'simple',
): Promise<{ token: string; accountId: number; apiKey: string | null }> {
  const token = generateSubaccountToken();
  const apiKey = type === 'advanced' ? generateApiKey() : null;
  const outcome = await store.createSubaccount({
    keyHash: main.keyHash,
    type,
    email: `sub-${token}@example.com`,
    profile: {},
    token,
    subaccountKeyHash: apiKey === null ? null : hashApiKey(apiKey),
    creditToAttribute: credit === '0' ? null : parseAmount(credit),
    transferId: newTransferId(),
    createdAt: new Date(),
  });
  if (!outcome.ok) throw new Error(`seedSub failed with code ${outcome.code}`);
  return { token, accountId: outcome.account.id, apiKey };
}

export function creditCommand(direction: Direction, keyHash: string, token: string, amount: string) {
  return {
    transferId: newTransferId(),
    direction,
    keyHash,
    tokenSubaccount: token,
    amount: parseAmount(amount),
    createdAt: new Date(),
    idempotencyKey: null,
  };
}

/**
 * An add's transfer row as a store writes it, for tests that send a store's
 * write statement themselves: `amountMicros` from `mainAccountId` to `sub`,
 * with the balances after it.
 */
export function addTransfer(
  mainAccountId: number,
  sub: { readonly accountId: number; readonly token: string },
  micros: { readonly amount: bigint; readonly mainAfter: bigint; readonly subAfter: bigint },
): Transfer {
  return {
    id: newTransferId(),
    kind: 'add',
    debitAccountId: mainAccountId,
    creditAccountId: sub.accountId,
    amountMicros: micros.amount,
    debitBalanceAfterMicros: micros.mainAfter,
    creditBalanceAfterMicros: micros.subAfter,
    mainAccountId,
    subaccountId: sub.accountId,
    subaccountToken: sub.token,
    idempotencyKey: null,
    reason: null,
    operator: null,
    createdAt: new Date(),
  };
}

/** An operator's top-up or charge of `amountMicros` on `accountId`, by operator "test". */
export function operatorCommand(kind: 'topup' | 'charge', accountId: number, amountMicros = 1_000_000n) {
  return {
    kind,
    accountId,
    amountMicros,
    transferId: newTransferId(),
    createdAt: new Date(),
    reason: null,
    operator: 'test',
  };
}

export async function move(
  store: Store,
  direction: Direction,
  keyHash: string,
  token: string,
  amount: string,
): Promise<CreditOutcome> {
  const [outcome] = await store.applyCredits([creditCommand(direction, keyHash, token, amount)]);
  return outcome!;
}

/**
 * `count` adds and removes between `main` and its subaccounts `subs` in turn
 * (every third a remove, amounts 0.01 to 0.09), in one call; all must pass.
 */
export async function creditsAmong(
  store: Store,
  main: SeededMain,
  subs: readonly { token: string }[],
  count: number,
): Promise<CreditOutcome[]> {
  const commands = Array.from({ length: count }, (_, index) =>
    creditCommand(
      index % 3 === 2 ? 'remove' : 'add',
      main.keyHash,
      subs[index % subs.length]!.token,
      `0.0${1 + (index % 9)}`,
    ),
  );
  const outcomes = await store.applyCredits(commands);
  const refused = outcomes.filter((outcome) => !outcome.ok);
  if (refused.length > 0) throw new Error(`creditsAmong: ${refused.length} of ${count} refused`);
  return outcomes;
}

/**
 * Registers a webhook endpoint of `ownerAccountId` (null: the operator's) for
 * `types` (null: every type) through the Store API; throws if it is refused.
 */
export async function registerEndpoint(
  store: Store,
  ownerAccountId: number | null,
  options: { readonly id?: string; readonly types?: EventType[] | null; readonly createdAt?: Date } = {},
): Promise<WebhookEndpoint> {
  const outcome = await store.createWebhook({
    id: options.id ?? `we_${randomUUID()}`,
    ownerAccountId,
    url: 'https://receiver.example/hook',
    types: options.types ?? null,
    secret: 'whsec_c2VjcmV0',
    createdAt: options.createdAt ?? new Date(),
  });
  if (!outcome.ok) throw new Error(`createWebhook refused with ${outcome.code}`);
  return outcome.endpoint;
}
