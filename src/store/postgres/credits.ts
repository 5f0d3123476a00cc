import { decideCredits } from '../../domain/credit-batch.js';
import type { CreditCommand, CreditOutcome } from '../../domain/transfers.js';
import { closeClaimsStatements, openClaims } from './claims.js';
import { ledgerWriteStatement, newDraft } from './ledger-write.js';
import { lockAccounts } from './ledger-read.js';
import type { PipelinedTransaction } from './transaction.js';

/**
 * Applies a batch of add/remove commands inside the caller's transaction:
 * one locking read (sent with BEGIN when no idempotency key comes first),
 * decisions in order in JS by the ledger rules, one write and the
 * idempotency records sent with COMMIT.
 */
export async function applyCreditsInTransaction(
  client: PipelinedTransaction,
  commands: readonly CreditCommand[],
): Promise<CreditOutcome[]> {
  const claims = await openClaims(
    client,
    commands.map((command) => command.idempotency?.claim),
  );
  const draft = newDraft();
  await lockAccounts(
    client,
    draft,
    commands.map((command) => command.keyHash),
    commands.map((command) => command.tokenSubaccount),
    commands[0]?.createdAt ?? new Date(),
  );
  const outcomes = decideCredits(draft, claims.book, commands);
  const write = ledgerWriteStatement(draft.changes());
  if (write !== null) client.beforeCommit(write);
  for (const statement of closeClaimsStatements(claims)) client.beforeCommit(statement);
  return outcomes;
}
