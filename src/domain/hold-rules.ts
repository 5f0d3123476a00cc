import type { CloseSubaccountCommand, CloseSubaccountOutcome } from './accounts.js';
import { accountData, treeOf } from './answers/event-data.js';
import { holdData } from './answers/hold-view.js';
import {
  type Hold,
  type HoldOutcome,
  type PlaceHoldCommand,
  type SettleHoldCommand,
  isExpired,
} from './holds.js';
import type { LedgerDraft } from './ledger-draft.js';
import {
  actingMain,
  decideUsageDebit,
  isOpenSubaccountOf,
  mainBalances,
  operatorTarget,
  refuse,
} from './ledger-rules.js';
import type { Transfer } from './transfers.js';

/**
 * The decisions on holds (contract section 9), on a LedgerDraft like the
 * ledger rules. Codes 29, 22, 2, 20, 5, 30 and 7 come before (the operator
 * API reads the request and finds the account); these give 33, 34, 35, 32,
 * 6 and 8, in that order.
 */

/** A hold on an account: a usage debit of its available balance, under the account's rules. */
export function decidePlaceHold(draft: LedgerDraft, command: PlaceHoldCommand): HoldOutcome {
  return draft.operation(command.createdAt, () => {
    const account = operatorTarget(draft, command.accountId);
    if (account === null) return refuse(30);
    const usage = {
      amountMicros: command.amountMicros,
      at: command.createdAt,
      topupTransferId: command.topupTransferId,
    };
    const placed = decideUsageDebit(draft, account, usage, () => {
      const hold: Hold = {
        id: command.holdId,
        accountId: account.id,
        mainAccountId: treeOf(account),
        tokenSubaccount: account.kind === 'sub' ? account.token : null,
        amountMicros: command.amountMicros,
        capturedMicros: 0n,
        status: 'pending',
        reason: command.reason,
        createdAt: command.createdAt,
        expiresAt: command.expiresAt,
        transferId: null,
      };
      draft.setHeld(account.id, draft.account(account.id)!.heldMicros + hold.amountMicros);
      draft.putHold(hold);
      draft.emit('hold.created', hold.mainAccountId, holdData(hold), command.createdAt);
      return hold;
    });
    return placed.ok ? answer(draft, placed.value, null) : placed;
  });
}

/**
 * Capture (the captured amount becomes a `charge`, the rest is released) or
 * void (all released): 33 for a hold the store did not find, 34 unless it is
 * pending (an expired one is expired first, and told), 35 for a capture
 * larger than the hold.
 */
export function decideSettleHold(draft: LedgerDraft, command: SettleHoldCommand): HoldOutcome {
  const found = draft.hold(command.holdId);
  if (found === null) return refuse(33);
  if (isExpired(found, command.createdAt)) expireHold(draft, found, command.createdAt);
  const hold = draft.hold(command.holdId)!;
  if (hold.status !== 'pending') return refuse(34);
  const captured = command.kind === 'void' ? 0n : (command.amountMicros ?? hold.amountMicros);
  if (captured > hold.amountMicros) return refuse(35);
  return draft.operation(command.createdAt, () => {
    const transfer = release(draft, hold, captured, command);
    const status = command.kind === 'void' ? 'voided' : 'captured';
    const settled: Hold = { ...hold, status, capturedMicros: captured, transferId: transfer?.id ?? null };
    draft.putHold(settled);
    draft.emit(
      status === 'voided' ? 'hold.voided' : 'hold.captured',
      hold.mainAccountId,
      holdData(settled),
      command.createdAt,
    );
    return answer(draft, settled, transfer);
  });
}

/** The hold leaves the account's held amount; what is captured is charged, what is not stops counting as usage. */
function release(
  draft: LedgerDraft,
  hold: Hold,
  captured: bigint,
  command: SettleHoldCommand,
): Transfer | null {
  const account = draft.account(hold.accountId)!;
  draft.setHeld(account.id, account.heldMicros - hold.amountMicros);
  const released = hold.amountMicros - captured;
  if (released > 0n) draft.addUsage(account.id, hold.createdAt, -released);
  if (captured === 0n) return null;
  return draft.move({
    id: command.transferId,
    kind: 'charge',
    debitAccountId: account.id,
    creditAccountId: draft.funding()!.id,
    amountMicros: captured,
    reason: hold.reason,
    operator: command.operator,
    idempotencyKey: command.idempotency?.claim.key,
    createdAt: command.createdAt,
  });
}

/** A pending hold past its expiry: released, no longer usage, and hold.expired told (once: it is expired now). */
export function expireHold(draft: LedgerDraft, hold: Hold, at: Date): void {
  draft.operation(at, () => {
    const account = draft.account(hold.accountId)!;
    draft.setHeld(account.id, account.heldMicros - hold.amountMicros);
    draft.addUsage(account.id, hold.createdAt, -hold.amountMicros);
    const expired: Hold = { ...hold, status: 'expired' };
    draft.putHold(expired);
    draft.emit('hold.expired', hold.mainAccountId, holdData(expired), at);
  });
}

/** Every hold the store found pending past its expiry, expired (the lazy expiry of a transaction that reads balances). */
export function expireDueHolds(draft: LedgerDraft, holds: readonly Hold[], at: Date): void {
  for (const hold of holds) {
    const current = draft.hold(hold.id) ?? hold;
    draft.readHold(current);
    if (isExpired(current, at)) expireHold(draft, current, at);
  }
}

function answer(draft: LedgerDraft, hold: Hold, transfer: Transfer | null): HoldOutcome {
  return { ok: true, hold, mainAccount: mainBalances(draft, hold.mainAccountId), transfer };
}

/**
 * Subaccount delete (contract section 6), codes 10, 4, 7, 36 (1 and 3 are the
 * HTTP layer's): the subaccount's whole balance goes back to its main account
 * as a transfer of kind `close`, then it is closed, with its history kept.
 */
export function decideCloseSubaccount(
  draft: LedgerDraft,
  command: CloseSubaccountCommand,
): CloseSubaccountOutcome {
  return draft.operation(command.createdAt, () => {
    const caller = actingMain(draft, command.by);
    if (typeof caller === 'number') return refuse(caller);
    const sub = draft.byToken(command.tokenSubaccount);
    if (!isOpenSubaccountOf(sub, caller.id)) return refuse(7);
    if (sub.heldMicros > 0n) return refuse(36);
    const transfer =
      sub.balanceMicros === 0n
        ? null
        : draft.move({
            id: command.transferId,
            kind: 'close',
            debitAccountId: sub.id,
            creditAccountId: caller.id,
            amountMicros: sub.balanceMicros,
            idempotencyKey: command.idempotency?.claim.key,
            createdAt: command.createdAt,
          });
    draft.close(sub.id, command.createdAt);
    draft.emit('subaccount.deleted', caller.id, accountData(draft.account(sub.id)!), command.createdAt);
    return { ok: true, mainAvailableMicros: draft.availableOf(caller.id), transferId: transfer?.id ?? null };
  });
}
