import type { Account, AccountStatus } from '../domain/accounts.js';
import { isValidEmail } from '../domain/email.js';
import type { ErrorCode } from '../domain/errors.js';
import { parseAmount } from '../domain/money.js';
import type { IdempotencyGuard, IdempotentAnswer } from '../domain/idempotency.js';
import type { ActionAudit, OperatorAction } from '../domain/operator-actions.js';
import type { CreateMainAccountOutcome } from '../domain/accounts.js';
import type { Store } from '../domain/store.js';
import type { OperatorTransferOutcome, Transfer } from '../domain/transfers.js';
import type { VerifyReport } from '../domain/verify.js';
import { newTransferId } from './ids.js';
import { generateApiKey, hashApiKey } from './keys.js';

/**
 * The operator's actions on main accounts. The CLI and the operator HTTP API
 * both call these, so an action means the same thing whichever door it comes
 * through. Business refusals are values carrying a code of the error table;
 * infrastructure failures throw from the store.
 */

/** `answer`: set when the request had an idempotency guard (the HTTP API's Idempotency-Key). */
export type OperatorResult<T> =
  | { readonly ok: true; readonly value: T; readonly answer?: IdempotentAnswer }
  | { readonly ok: false; readonly code: ErrorCode; readonly answer?: IdempotentAnswer };

/** Who did it and why: kept on the ledger transfer forever. */
export interface AuditFields {
  readonly reason?: string | undefined;
  readonly operator?: string | undefined;
}

export interface CreateMainAccountInput extends AuditFields {
  readonly email: string;
  /** Opening balance as decimal text; absent means no opening transfer. */
  readonly credit?: string | undefined;
  /** Builds the request's idempotency guard once the key and transfer id are made (they are in the answer). */
  readonly guard?: (made: CreatedIds) => IdempotencyGuard<CreateMainAccountOutcome>;
}

export interface CreatedIds {
  readonly apiKey: string;
  /** null when the account opens without credit (no transfer). */
  readonly transferId: string | null;
}

export interface AmountInput extends AuditFields {
  readonly credit: string;
  readonly guard?: IdempotencyGuard<OperatorTransferOutcome> | undefined;
}

/** A charge may target a subaccount, which has no operator-facing email lookup. */
export type AccountRef = { readonly email: string } | { readonly accountId: number };

/**
 * The operator API's charge target: a main account by id, or, with a token,
 * one of its subaccounts (the token must belong to that main account).
 */
export interface OwnedAccountRef {
  readonly mainAccountId: number;
  readonly tokenSubaccount?: string | undefined;
}

/** A main account by email (the CLI) or by id (the operator API). */
export type MainAccountRef = string | AccountRef;

export interface CreatedAccount {
  readonly account: Account;
  /** Shown once; only its hash is stored. */
  readonly apiKey: string;
}

export interface CreatedMainAccount extends CreatedAccount {
  /** The opening top-up, when the account opened with credit. */
  readonly transferId: string | null;
}

export interface MovedCredit {
  readonly account: Account;
  readonly transfer: Transfer;
  /** The account's balance right after the transfer. */
  readonly balanceMicros: bigint;
  /** The automatic top-up a charge of a subaccount brought first (balance rules), if any. */
  readonly topup: Transfer | null;
}

/** The name kept when no one was named (the operator API's default for a missing X-Operator). */
export const DEFAULT_OPERATOR_NAME = 'operator';
/** Free text kept forever on every transfer: bounded so a typo cannot bloat the ledger. */
const MAX_AUDIT_TEXT_LENGTH = 500;

export const fail = (code: ErrorCode) => ({ ok: false, code }) as const;
export const succeed = <T>(value: T) => ({ ok: true, value }) as const;

export function checkAudit(input: AuditFields): ErrorCode | null {
  for (const text of [input.reason, input.operator]) {
    if (text !== undefined && text.length > MAX_AUDIT_TEXT_LENGTH) return 22;
  }
  return null;
}

/** Codes 20 then 5, as for the public API; returns the amount in micros. */
export function readPositiveAmount(text: string): OperatorResult<bigint> {
  const amount = parseAmount(text);
  if (amount.kind === 'invalid') return fail(20);
  if (amount.kind === 'not-positive') return fail(5);
  return succeed(amount.micros);
}

/** An opening balance may be zero (an account funded later), never negative. */
function readOpeningAmount(text: string | undefined): OperatorResult<bigint> {
  if (text === undefined) return succeed(0n);
  const amount = parseAmount(text);
  if (amount.kind === 'not-positive' && !text.startsWith('-')) return succeed(0n);
  return readPositiveAmount(text);
}

export async function createMainAccount(
  store: Store,
  input: CreateMainAccountInput,
): Promise<OperatorResult<CreatedMainAccount>> {
  if (!isValidEmail(input.email)) return fail(22);
  const auditCode = checkAudit(input);
  if (auditCode !== null) return fail(auditCode);
  const opening = readOpeningAmount(input.credit);
  if (!opening.ok) return opening;
  const apiKey = generateApiKey();
  const transferId = newTransferId();
  const made = { apiKey, transferId: opening.value > 0n ? transferId : null };
  const command = {
    email: input.email,
    keyHash: hashApiKey(apiKey),
    openingMicros: opening.value,
    transferId,
    createdAt: new Date(),
    reason: input.reason ?? null,
    operator: input.operator ?? null,
  };
  const outcome = await store.createMainAccount(
    input.guard === undefined ? command : { ...command, idempotency: input.guard(made) },
  );
  if (!outcome.ok) return outcome;
  return withAnswer(succeed({ account: outcome.account, ...made }), outcome.answer);
}

/** Finds a main account by email (code 22 for a malformed email, 30 when absent). */
async function findMainAccount(store: Store, email: string): Promise<OperatorResult<Account>> {
  if (!isValidEmail(email)) return fail(22);
  const account = await store.findMainAccountByEmail(email);
  return account === null ? fail(30) : succeed(account);
}

/** The funding account is the operator's own side of the ledger, never a target. */
async function findCustomerAccount(
  store: Store,
  ref: AccountRef | OwnedAccountRef,
): Promise<OperatorResult<Account>> {
  if ('mainAccountId' in ref) return findOwnedAccount(store, ref);
  if ('email' in ref) return findMainAccount(store, ref.email);
  if (!isAccountId(ref.accountId)) return fail(22);
  const account = await store.getAccount(ref.accountId);
  return account === null || account.kind === 'funding' ? fail(30) : succeed(account);
}

function isAccountId(accountId: number): boolean {
  return Number.isSafeInteger(accountId) && accountId > 0;
}

/** Finds a main account by email or id (22 for a malformed one, 30 when absent or not a main account). */
export async function findMainAccountByRef(
  store: Store,
  ref: MainAccountRef,
): Promise<OperatorResult<Account>> {
  if (typeof ref === 'string') return findMainAccount(store, ref);
  if ('email' in ref) return findMainAccount(store, ref.email);
  if (!isAccountId(ref.accountId)) return fail(22);
  const account = await store.getAccount(ref.accountId);
  return account === null || account.kind !== 'main' ? fail(30) : succeed(account);
}

/**
 * Code 30 when the main account is absent, then 7 when the token names no
 * subaccount of it: another owner's subaccount is as unknown as a missing one.
 */
export async function findOwnedAccount(store: Store, ref: OwnedAccountRef): Promise<OperatorResult<Account>> {
  const main = await findMainAccountByRef(store, { accountId: ref.mainAccountId });
  if (!main.ok || ref.tokenSubaccount === undefined) return main;
  const sub = await store.findSubaccountByToken(ref.tokenSubaccount);
  return sub === null || sub.parentId !== main.value.id || sub.closedAt !== null ? fail(7) : succeed(sub);
}

async function moveCredit(
  store: Store,
  kind: 'topup' | 'charge',
  ref: AccountRef | OwnedAccountRef,
  input: AmountInput,
): Promise<OperatorResult<MovedCredit>> {
  // Input first, then the database: a malformed request never costs a lookup.
  const auditCode = checkAudit(input);
  if (auditCode !== null) return fail(auditCode);
  const amount = readPositiveAmount(input.credit);
  if (!amount.ok) return amount;
  const found = await findCustomerAccount(store, ref);
  if (!found.ok) return found;
  const command = {
    kind,
    accountId: found.value.id,
    amountMicros: amount.value,
    transferId: newTransferId(),
    // A charge may bring an automatic top-up first (balance rules): it needs an id of its own.
    topupTransferId: kind === 'charge' ? newTransferId() : undefined,
    createdAt: new Date(),
    reason: input.reason ?? null,
    operator: input.operator ?? null,
  };
  const outcome = await store.operatorTransfer(
    input.guard === undefined ? command : { ...command, idempotency: input.guard },
  );
  if (!outcome.ok) return outcome;
  const { transfer } = outcome;
  const balanceMicros =
    kind === 'topup' ? transfer.creditBalanceAfterMicros : transfer.debitBalanceAfterMicros;
  // Only a subaccount's charge can bring a top-up; its id says whether one was made.
  const topup =
    command.topupTransferId !== undefined && found.value.kind === 'sub'
      ? await store.getTransfer(command.topupTransferId)
      : null;
  return withAnswer(succeed({ account: found.value, transfer, balanceMicros, topup }), outcome.answer);
}

export function withAnswer<T>(
  result: OperatorResult<T>,
  answer: IdempotentAnswer | undefined,
): OperatorResult<T> {
  return answer === undefined ? result : { ...result, answer };
}

/** Money paid to the platform, moved from the funding account to a main account. */
export function topUp(
  store: Store,
  ref: MainAccountRef,
  input: AmountInput,
): Promise<OperatorResult<MovedCredit>> {
  // The store answers 30 for a top-up aimed at anything but a main account.
  return moveCredit(store, 'topup', typeof ref === 'string' ? { email: ref } : ref, input);
}

/**
 * Usage consumed, moved back to the funding account; codes 6/8 when the
 * account cannot pay, 7 when a subaccount token is not the main account's.
 */
export function charge(
  store: Store,
  ref: AccountRef | OwnedAccountRef,
  input: AmountInput,
): Promise<OperatorResult<MovedCredit>> {
  return moveCredit(store, 'charge', ref, input);
}

/** Code 22 for over-long audit text; else what the store records beside the change. */
function actionAudit(input: AuditFields): OperatorResult<ActionAudit> {
  const auditCode = checkAudit(input);
  if (auditCode !== null) return fail(auditCode);
  return succeed({
    operator: input.operator ?? DEFAULT_OPERATOR_NAME,
    reason: input.reason ?? null,
    createdAt: new Date(),
  });
}

/**
 * Suspending an already suspended account succeeds (and is recorded): the
 * operator's intent holds either way. The action is kept in the audit trail
 * in the transaction of the change.
 */
export async function setAccountStatus(
  store: Store,
  ref: MainAccountRef,
  status: AccountStatus,
  input: AuditFields = {},
): Promise<OperatorResult<Account>> {
  const audit = actionAudit(input);
  if (!audit.ok) return audit;
  const found = await findMainAccountByRef(store, ref);
  if (!found.ok) return found;
  await store.setStatus(found.value.id, status, audit.value);
  return succeed({ ...found.value, status });
}

/** A new key for a main account; the old one is refused from the next request on. */
export async function rotateKey(
  store: Store,
  ref: MainAccountRef,
  input: AuditFields = {},
): Promise<OperatorResult<CreatedAccount>> {
  const audit = actionAudit(input);
  if (!audit.ok) return audit;
  const found = await findMainAccountByRef(store, ref);
  if (!found.ok) return found;
  const apiKey = generateApiKey();
  await store.replaceKey(found.value.id, hashApiKey(apiKey), audit.value);
  return succeed({ account: found.value, apiKey });
}

/** The account's suspend/resume/rotate-key actions, newest first. */
export function listActions(store: Store, accountId: number, limit: number): Promise<OperatorAction[]> {
  return store.listOperatorActions(accountId, limit);
}

export function verify(store: Store): Promise<VerifyReport> {
  return store.verify();
}
