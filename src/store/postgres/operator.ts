import type { Account } from '../../domain/accounts.js';
import { checkFunds } from '../../domain/ledger-rules.js';
import type { OperatorTransferOutcome } from '../../domain/store.js';
import type { OperatorTransferCommand, Transfer } from '../../domain/transfers.js';
import { writeLedger } from './ledger-write.js';
import { ACCOUNT_COLUMNS, type AccountRow, toAccount } from './rows.js';
import type { Queryable } from './transaction.js';

/**
 * A top-up (funding → account) or a charge (account → funding). Both rows are
 * locked in id order like every other transaction. The funding account may go
 * below zero; the charged account may not (codes 6 and 8).
 */
export async function operatorTransferInTransaction(
  client: Queryable,
  command: OperatorTransferCommand,
): Promise<OperatorTransferOutcome> {
  if (command.amountMicros <= 0n) throw new Error('an operator transfer moves a positive amount');
  // A subaccount's parent is locked too: every transaction writing a transfer
  // of main account M holds M's row, so M's history commits in seq order and
  // a reader paging it by seq can never miss a row committed late.
  const locked = await client.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts
     WHERE kind = 'funding' OR id = $1 OR id = (SELECT parent_id FROM accounts WHERE id = $1)
     ORDER BY id FOR UPDATE`,
    [command.accountId],
  );
  const accounts = locked.rows.map(toAccount);
  const funding = accounts.find((account) => account.kind === 'funding');
  const target = accounts.find((account) => account.id === command.accountId && account.kind !== 'funding');
  if (funding === undefined) throw new Error('the funding account is missing: was migrate() run?');
  // Top-ups go to main accounts only; charges may hit a main account or a subaccount.
  if (target === undefined || (command.kind === 'topup' && target.kind !== 'main'))
    return { ok: false, code: 30 };
  if (command.kind === 'charge') {
    const fundsCode = checkFunds(target.balanceMicros, command.amountMicros);
    if (fundsCode !== null) return { ok: false, code: fundsCode };
  }
  const transfer = operatorTransfer(command, funding, target);
  const balances = new Map([
    [transfer.debitAccountId, transfer.debitBalanceAfterMicros],
    [transfer.creditAccountId, transfer.creditBalanceAfterMicros],
  ]);
  await writeLedger(client, [transfer], balances);
  return { ok: true, transfer };
}

function operatorTransfer(command: OperatorTransferCommand, funding: Account, target: Account): Transfer {
  const topup = command.kind === 'topup';
  const amount = command.amountMicros;
  const [debit, credit] = topup ? [funding, target] : [target, funding];
  const isSub = target.kind === 'sub';
  return {
    id: command.transferId,
    kind: command.kind,
    debitAccountId: debit.id,
    creditAccountId: credit.id,
    amountMicros: amount,
    debitBalanceAfterMicros: debit.balanceMicros - amount,
    creditBalanceAfterMicros: credit.balanceMicros + amount,
    mainAccountId: isSub ? target.parentId! : target.id,
    subaccountId: isSub ? target.id : null,
    subaccountToken: isSub ? target.token : null,
    idempotencyKey: null,
    reason: command.reason,
    operator: command.operator,
    createdAt: command.createdAt,
  };
}
