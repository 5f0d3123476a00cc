import type {
  CloseSubaccountCommand,
  CloseSubaccountOutcome,
  CreateMainAccountCommand,
  CreateMainAccountOutcome,
  CreateSubaccountCommand,
  CreateSubaccountOutcome,
  MainAccountBy,
} from '../../domain/accounts.js';
import type { LedgerDraft } from '../../domain/ledger-draft.js';
import type { ErrorCode } from '../../domain/errors.js';
import { decideCloseSubaccount } from '../../domain/hold-rules.js';
import {
  actingMain,
  decideCreateSubaccount,
  decideRules,
  openMainAccount,
  openSubaccount,
} from '../../domain/ledger-rules.js';
import type { AccountRules, RulesPatch } from '../../domain/rules.js';
import {
  tellAccountAction,
  type ActionAudit,
  type OperatorActionKind,
} from '../../domain/operator-actions.js';
import { readAccountById, readAccounts, readFunding } from './ledger-read.js';
import { newDraft, writeLedger } from './ledger-write.js';
import { toAccount, toState, type AccountRow, type StateRow } from './rows.js';
import type { Statements } from './statements.js';

/** Inside a write transaction: a subaccount under the main account `command` names (key or id), with its opening add. */
export function createSubaccountInTransaction(
  s: Statements,
  command: CreateSubaccountCommand,
): CreateSubaccountOutcome {
  const draft = newDraft();
  readMainAccount(s, draft, command, command.createdAt);
  const main = actingMain(draft, command);
  const emailTaken =
    typeof main !== 'number' && s.subaccountByEmail.get(main.id, command.email) !== undefined;
  const decision = decideCreateSubaccount(draft, command, emailTaken);
  if (!decision.ok) return decision;
  const subaccountId = insertSubaccount(s, decision.main.id, command);
  draft.read(toState(s.stateById.get(subaccountId) as StateRow));
  const transferId = openSubaccount(draft, decision, subaccountId, command);
  writeLedger(s, draft.changes());
  const account = toAccount(s.accountById.get(subaccountId) as AccountRow);
  return { ok: true, account, parentEmail: decision.main.email, transferId };
}

function insertSubaccount(s: Statements, parentId: number, command: CreateSubaccountCommand): number {
  const { profile } = command;
  const result = s.insertAccount.run({
    kind: 'sub',
    parentId,
    email: command.email,
    token: command.token,
    keyHash: command.subaccountKeyHash,
    type: command.type,
    title: profile.title ?? null,
    firstname: profile.firstname ?? null,
    lastname: profile.lastname ?? null,
    isBuyer: profile.isBuyer === undefined ? null : Number(profile.isBuyer),
    createdAt: command.createdAt.getTime(),
  });
  return Number(result.lastInsertRowid);
}

/** Inside a write transaction: a main account (23 when its email is taken) and its opening top-up. */
export function createMainAccountInTransaction(
  s: Statements,
  command: CreateMainAccountCommand,
): CreateMainAccountOutcome {
  if (s.mainAccountByEmail.get(command.email) !== undefined) return { ok: false, code: 23 };
  const result = s.insertAccount.run({
    kind: 'main',
    parentId: null,
    email: command.email,
    token: null,
    keyHash: command.keyHash,
    type: null,
    title: null,
    firstname: null,
    lastname: null,
    isBuyer: null,
    createdAt: command.createdAt.getTime(),
  });
  const accountId = Number(result.lastInsertRowid);
  if (command.openingMicros > 0n) {
    const draft = newDraft();
    readFunding(s, draft);
    readAccountById(s, draft, accountId);
    openMainAccount(draft, command, accountId);
    writeLedger(s, draft.changes());
  }
  return { ok: true, account: toAccount(s.accountById.get(accountId) as AccountRow) };
}

/**
 * Inside a write transaction: one update of a customer account, its event
 * and, when audited, its row in the operator's audit trail. Nothing happens
 * for an unknown account or the funding account.
 */
export function updateAccountInTransaction(
  s: Statements,
  accountId: number,
  change: { readonly status: string } | { readonly keyHash: string },
  action: OperatorActionKind,
  audit: ActionAudit | undefined,
): void {
  const draft = newDraft();
  readAccountById(s, draft, accountId);
  const row = draft.account(accountId);
  if (row === null || row.kind === 'funding') return;
  if ('status' in change) s.setStatus.run(change.status, accountId);
  else s.setKeyHash.run(change.keyHash, accountId);
  const at = audit?.createdAt ?? new Date();
  tellAccountAction(draft, accountId, action, at);
  writeLedger(s, draft.changes());
  if (audit !== undefined) {
    s.insertAction.run(accountId, action, audit.operator, audit.reason, at.getTime());
  }
}

/** The main account acting, by its key or its id, with the accounts of `tokens` and their due holds. */
function readMainAccount(
  s: Statements,
  draft: LedgerDraft,
  by: MainAccountBy,
  at: Date,
  tokens: readonly string[] = [],
): void {
  if ('mainAccountId' in by) readAccountById(s, draft, by.mainAccountId);
  readAccounts(s, draft, 'keyHash' in by ? [by.keyHash] : [], tokens, at);
}

/** Inside a write transaction: a subaccount's delete (its balance back to its main account, then closed). */
export function closeSubaccountInTransaction(
  s: Statements,
  command: CloseSubaccountCommand,
): CloseSubaccountOutcome {
  const draft = newDraft();
  readMainAccount(s, draft, command.by, command.createdAt, [command.tokenSubaccount]);
  const outcome = decideCloseSubaccount(draft, command);
  writeLedger(s, draft.changes());
  return outcome;
}

/** Inside a write transaction: an account's rules after a patch, or the code refusing it (nothing changes). */
export function setRulesInTransaction(
  s: Statements,
  accountId: number,
  patch: RulesPatch,
): AccountRules | ErrorCode {
  const row = s.stateById.get(accountId) as StateRow | undefined;
  const rules = decideRules(row === undefined ? null : toState(row), patch);
  if (typeof rules === 'number') return rules;
  const topup = rules.autoTopup;
  s.setRules.run(
    rules.lowBalanceMicros,
    topup?.belowMicros ?? null,
    topup?.toMicros ?? null,
    topup?.addMicros ?? null,
    rules.spendingCap?.amountMicros ?? null,
    rules.spendingCap?.period ?? null,
    accountId,
  );
  return rules;
}
