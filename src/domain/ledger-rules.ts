import type {
  AccountKind,
  AccountState,
  AccountStatus,
  CreateMainAccountCommand,
  CreateSubaccountCommand,
  MainAccountBy,
  MainCaller,
} from './accounts.js';
import { accountData, transferData, treeOf } from './answers/event-data.js';
import type { ErrorCode } from './errors.js';
import { available, type LedgerDraft } from './ledger-draft.js';
import { formatMicros, type ParsedAmount } from './money.js';
import { applyRulesPatch, topupNeeded, type AccountRules, type RulesPatch } from './rules.js';
import type {
  CreditCommand,
  CreditOutcome,
  MainAccountBalances,
  OperatorTransferCommand,
  OperatorTransferOutcome,
} from './transfers.js';

/**
 * The ledger's decisions, pure and in the contract's order of precedence
 * (TigerBeetle style: early returns, the first failing check wins). A store
 * reads the rows inside its transaction into a LedgerDraft, calls these, and
 * writes the draft's changes. Funds are always the available balance
 * (balance − pending holds).
 */

export type Refusal = { readonly ok: false; readonly code: ErrorCode };
export const refuse = (code: ErrorCode): Refusal => ({ ok: false, code });

/** Codes 10 then 4: the caller narrowed to a main account allowed to act, or the code refusing it. */
export function checkMainCaller<T extends { readonly kind: AccountKind; readonly status: AccountStatus }>(
  caller: T | null,
): MainCaller<T> | ErrorCode {
  if (caller === null) return 10;
  if (caller.kind !== 'main' || caller.status !== 'active') return 4;
  return caller as MainCaller<T>;
}

/**
 * The main account acting, as the draft holds it: by its key, codes 10 then 4;
 * named by the operator, 30 when the id is no main account (a suspended one
 * may still be acted on by the operator, as for top-ups and charges).
 */
export function actingMain(draft: LedgerDraft, by: MainAccountBy): AccountState | ErrorCode {
  if ('keyHash' in by) return checkMainCaller(draft.byKeyHash(by.keyHash));
  const main = draft.account(by.mainAccountId);
  return main === null || main.kind !== 'main' ? 30 : main;
}

/** Codes 20 then 5: the amount in micros, or the code refusing it. */
export function checkAmount(amount: ParsedAmount): bigint | ErrorCode {
  if (amount.kind === 'invalid') return 20;
  if (amount.kind === 'not-positive') return 5;
  return amount.micros;
}

/** Codes 6 then 8: can an available balance pay `amountMicros`? */
export function checkFunds(availableMicros: bigint, amountMicros: bigint): ErrorCode | null {
  if (availableMicros <= 0n) return 6;
  if (availableMicros < amountMicros) return 8;
  return null;
}

/**
 * An open subaccount of this main account. Another owner's subaccount, or a
 * closed one, answers 7 exactly like a token that does not exist.
 */
export function isOpenSubaccountOf(
  account: AccountState | null,
  mainAccountId: number,
): account is AccountState {
  return (
    account !== null &&
    account.kind === 'sub' &&
    account.parentId === mainAccountId &&
    account.closedAt === null
  );
}

/**
 * credit/add and credit/remove: codes 10, 4, 20, 5, 7, 6, 8 in order, from
 * the caller (found by its key hash) and the subaccount (by its token) the
 * draft holds. On success the transfer is made in the draft; the answer's
 * balances are available balances.
 */
export function decideCredit(draft: LedgerDraft, command: CreditCommand): CreditOutcome {
  return draft.operation(command.createdAt, () => {
    const main = checkMainCaller(draft.byKeyHash(command.keyHash));
    if (typeof main === 'number') return refuse(main);
    const amount = checkAmount(command.amount);
    if (typeof amount === 'number') return refuse(amount);
    const sub = draft.byToken(command.tokenSubaccount);
    if (!isOpenSubaccountOf(sub, main.id)) return refuse(7);
    const add = command.direction === 'add';
    const [debit, credit] = add ? [main, sub] : [sub, main];
    const fundsCode = checkFunds(available(debit), amount);
    if (fundsCode !== null) return refuse(fundsCode);
    draft.move({
      id: command.transferId,
      kind: command.direction,
      debitAccountId: debit.id,
      creditAccountId: credit.id,
      amountMicros: amount,
      idempotencyKey: command.idempotencyKey,
      createdAt: command.createdAt,
    });
    return {
      ok: true,
      transferId: command.transferId,
      mainBalanceMicros: draft.availableOf(main.id),
      subaccountBalanceMicros: draft.availableOf(sub.id),
    };
  });
}

export type SubaccountDecision =
  | Refusal
  | {
      readonly ok: true;
      readonly main: AccountState;
      /** The opening add, 0 when none. */
      readonly openingMicros: bigint;
    };

/**
 * Subaccount creation, codes 10, 4 (by key) or 30 (by id), then 20, 5, 23,
 * 6, 8 in order (1 and 22 are the HTTP layer's): the main account as the
 * draft holds it, and whether one of its open subaccounts already has the email.
 */
export function decideCreateSubaccount(
  draft: LedgerDraft,
  command: CreateSubaccountCommand,
  emailTaken: boolean,
): SubaccountDecision {
  const main = actingMain(draft, command);
  if (typeof main === 'number') return refuse(main);
  const opening = command.creditToAttribute === null ? 0n : checkAmount(command.creditToAttribute);
  if (typeof opening === 'number') return refuse(opening);
  if (emailTaken) return refuse(23);
  const fundsCode = opening > 0n ? checkFunds(available(main), opening) : null;
  if (fundsCode !== null) return refuse(fundsCode);
  return { ok: true, main, openingMicros: opening };
}

/**
 * After the store inserted the new subaccount (read into the draft): its
 * subaccount.created event, then its opening add, if any.
 */
export function openSubaccount(
  draft: LedgerDraft,
  decision: Extract<SubaccountDecision, { ok: true }>,
  subaccountId: number,
  command: CreateSubaccountCommand,
): string | null {
  const created = draft.account(subaccountId);
  if (created === null) throw new Error(`subaccount ${subaccountId} was not read after its insert`);
  draft.emit('subaccount.created', decision.main.id, accountData(created), command.createdAt);
  if (decision.openingMicros === 0n) return null;
  return draft.move({
    id: command.transferId,
    kind: 'add',
    debitAccountId: decision.main.id,
    creditAccountId: subaccountId,
    amountMicros: decision.openingMicros,
    idempotencyKey: command.idempotency?.claim.key,
    createdAt: command.createdAt,
  }).id;
}

/** A customer account an operator may act on: not the funding account, not a closed subaccount. */
export function operatorTarget(draft: LedgerDraft, accountId: number): AccountState | null {
  const target = draft.account(accountId);
  if (target === null || target.kind === 'funding' || target.closedAt !== null) return null;
  return target;
}

/**
 * A top-up (funding → a main account) or a charge (a main account or a
 * subaccount → funding): 30 for any other target; a charge is usage, under
 * the account's rules (decideUsageDebit: 32, the automatic top-up, then 6
 * and 8 on the available balance). The funding account may go below zero.
 */
export function decideOperatorTransfer(
  draft: LedgerDraft,
  command: OperatorTransferCommand,
): OperatorTransferOutcome {
  return draft.operation(command.createdAt, () => {
    const target = operatorTarget(draft, command.accountId);
    const funding = draft.funding();
    if (funding === null) throw new Error('the funding account was not read: was migrate() run?');
    if (target === null || (command.kind === 'topup' && target.kind !== 'main')) return refuse(30);
    const topup = command.kind === 'topup';
    const move = () =>
      draft.move({
        id: command.transferId,
        kind: command.kind,
        debitAccountId: topup ? funding.id : target.id,
        creditAccountId: topup ? target.id : funding.id,
        amountMicros: command.amountMicros,
        reason: command.reason,
        operator: command.operator,
        // As the public history shows a credit's key: the operator's request's own.
        idempotencyKey: command.idempotency?.claim.key,
        createdAt: command.createdAt,
      });
    const main = treeOf(target);
    if (topup) return { ok: true, transfer: move(), mainAccount: mainBalances(draft, main) } as const;
    const usage = {
      amountMicros: command.amountMicros,
      at: command.createdAt,
      topupTransferId: command.topupTransferId,
    };
    const charged = decideUsageDebit(draft, target, usage, move);
    if (!charged.ok) return charged;
    return { ok: true, transfer: charged.value, mainAccount: mainBalances(draft, main) } as const;
  });
}

/** A main account's balances as the draft holds them now. */
export function mainBalances(draft: LedgerDraft, mainAccountId: number): MainAccountBalances {
  const main = draft.account(mainAccountId)!;
  return { id: main.id, balanceMicros: main.balanceMicros, heldMicros: main.heldMicros };
}

export interface UsageDebit {
  readonly amountMicros: bigint;
  readonly at: Date;
  /** The id the automatic top-up's transfer takes, should the rules make one. */
  readonly topupTransferId?: string | undefined;
}

/**
 * A usage debit of an account (an operator charge, a hold placement), under
 * its rules, in the contract's order: the spending cap first (32, with the
 * notice spendingcap.reached once per period), then the automatic top-up of
 * a subaccount from its main account (or the notice autotopup.failed when the
 * main account cannot pay it), then the funds on the available balance (6, 8;
 * a top-up that did not make the debit affordable is not kept). `debit` makes
 * the debit itself; its usage is counted in the day and the month.
 */
export function decideUsageDebit<T>(
  draft: LedgerDraft,
  account: AccountState,
  usage: UsageDebit,
  debit: () => T,
): { readonly ok: true; readonly value: T } | Refusal {
  const cap = account.rules.spendingCap;
  const { amountMicros, at } = usage;
  if (cap !== null) {
    const counter = draft.usage(account.id, cap.period, at);
    if (counter.usedMicros + amountMicros > cap.amountMicros) {
      tellCapReached(draft, account, at);
      return refuse(32);
    }
  }
  const beforeTopup = topUpBefore(draft, account, usage);
  const fundsCode = checkFunds(draft.availableOf(account.id), amountMicros);
  if (fundsCode !== null) {
    draft.rollback(beforeTopup);
    return refuse(fundsCode);
  }
  const value = debit();
  draft.addUsage(account.id, at, amountMicros);
  if (cap !== null && draft.usage(account.id, cap.period, at).usedMicros === cap.amountMicros) {
    tellCapReached(draft, account, at);
  }
  return { ok: true, value };
}

/** spendingcap.reached, once per period. */
function tellCapReached(draft: LedgerDraft, account: AccountState, at: Date): void {
  const cap = account.rules.spendingCap!;
  const counter = draft.usage(account.id, cap.period, at);
  if (counter.reached) return;
  draft.markReached(account.id, cap.period, at);
  const extra = {
    spendingCap: formatMicros(cap.amountMicros),
    period: cap.period,
    used: formatMicros(counter.usedMicros),
  };
  draft.emit('spendingcap.reached', treeOf(account), accountData(draft.account(account.id)!, extra), at);
}

/**
 * The automatic top-up a usage debit calls for, made in the draft; answers the
 * mark to roll it back to, should the debit still be refused. The notice
 * autotopup.failed stays either way.
 */
function topUpBefore(draft: LedgerDraft, account: AccountState, usage: UsageDebit) {
  const rule = account.rules.autoTopup;
  const needed =
    rule === null || account.kind !== 'sub' ? 0n : topupNeeded(rule, available(account), usage.amountMicros);
  if (needed === 0n) return draft.mark();
  const main = draft.account(account.parentId!)!;
  if (available(main) < needed) {
    const extra = { needed: formatMicros(needed), mainAvailable: formatMicros(available(main)) };
    draft.emit('autotopup.failed', main.id, accountData(account, extra), usage.at);
    return draft.mark();
  }
  if (usage.topupTransferId === undefined) throw new Error('an automatic top-up needs a transfer id');
  const mark = draft.mark();
  const transfer = draft.move({
    id: usage.topupTransferId,
    kind: 'autotopup',
    debitAccountId: main.id,
    creditAccountId: account.id,
    amountMicros: needed,
    createdAt: usage.at,
  });
  draft.emit('autotopup.succeeded', main.id, transferData(transfer), usage.at);
  return mark;
}

/**
 * After the store inserted a new main account (read into the draft, with the
 * funding account): its opening top-up, if any.
 */
export function openMainAccount(
  draft: LedgerDraft,
  command: CreateMainAccountCommand,
  accountId: number,
): string | null {
  if (command.openingMicros < 0n) throw new Error('an opening balance is never negative');
  if (command.openingMicros === 0n) return null;
  const { transferId, createdAt, reason, operator } = command;
  const amountMicros = command.openingMicros;
  const opening = decideOperatorTransfer(draft, {
    kind: 'topup',
    accountId,
    amountMicros,
    transferId,
    createdAt,
    reason,
    operator,
  });
  if (!opening.ok)
    throw new Error(`the opening top-up of account ${accountId} was refused (${opening.code})`);
  return opening.transfer.id;
}

/**
 * An account's rules after a patch: 30 for no customer account, 7 for a
 * closed subaccount, 22 for an automatic top-up of a main account (it has no
 * one to draw from), then the patch's own codes (applyRulesPatch).
 */
export function decideRules(account: AccountState | null, patch: RulesPatch): AccountRules | ErrorCode {
  if (account === null || account.kind === 'funding') return 30;
  if (account.closedAt !== null) return 7;
  if (account.kind === 'main' && patch.autoTopup.kind === 'set') return 22;
  return applyRulesPatch(account.rules, patch);
}
