import type { Store } from '../src/domain/store.js';
import type { Transfer } from '../src/domain/transfers.js';
import type { BankModel } from './ledger.js';
import type { CreditOp } from './operations.js';

export interface AcknowledgedOp {
  readonly op: CreditOp;
  readonly transferId: string;
}

/** Transfers read per page when walking a main account's history. */
const PAGE_SIZE = 500;
/** getTransfer calls in flight at once. */
const LOOKUP_CONCURRENCY = 25;

/**
 * The end-of-run judgement, against the store itself once every process is
 * down: each acknowledged transfer is there as acknowledged, no key moved
 * money twice, nothing moved that nobody acknowledged, every balance
 * equals the model, and the events are the changes. Returns one line per violation.
 */
export async function checkLedger(
  store: Store,
  model: BankModel,
  acknowledged: readonly AcknowledgedOp[],
): Promise<{ violations: string[]; transfersStored: number }> {
  const violations: string[] = [];
  violations.push(...(await checkAcknowledged(store, acknowledged)));
  const stored = await storedCredits(store, model);
  violations.push(...checkNoneTwice(stored, acknowledged));
  violations.push(...(await checkBalances(store, model)));
  violations.push(...(await checkEvents(store, model)));
  return { violations, transfersStored: stored.length };
}

/**
 * Events = changes, exactly (contract invariant 8): in each tree the
 * sequence counts from 1 with no gap, and its `transfer.created` events name
 * its transfers, each once, none more (a refused or rolled-back request,
 * retried or not, left none).
 */
async function checkEvents(store: Store, model: BankModel): Promise<string[]> {
  const violations: string[] = [];
  for (const main of model.mains) {
    const told = new Map<string, number>();
    let expected = 1;
    for (let after = 0; ;) {
      const events = await store.listEvents({ accountId: main.accountId, after, limit: PAGE_SIZE });
      for (const event of events) {
        if (event.sequence !== expected) {
          violations.push(`tree ${main.accountId}: event ${event.sequence} where ${expected} was due`);
        }
        expected = event.sequence + 1;
        if (event.type !== 'transfer.created') continue;
        const id = (JSON.parse(event.data) as { id: string }).id;
        told.set(id, (told.get(id) ?? 0) + 1);
      }
      if (events.length < PAGE_SIZE) break;
      after = events.at(-1)!.sequence;
    }
    const transfers = await treeTransferIds(store, main.accountId);
    for (const id of transfers) {
      const count = told.get(id) ?? 0;
      if (count !== 1)
        violations.push(`tree ${main.accountId}: transfer ${id} has ${count} transfer.created events`);
    }
    for (const id of told.keys()) {
      if (!transfers.has(id))
        violations.push(`tree ${main.accountId}: an event tells transfer ${id}, not in the ledger`);
    }
  }
  return violations;
}

async function treeTransferIds(store: Store, mainAccountId: number): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await store.listTransfers({ mainAccountId, limit: PAGE_SIZE, cursor });
    for (const transfer of page.items) ids.add(transfer.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return ids;
}

async function checkAcknowledged(store: Store, acknowledged: readonly AcknowledgedOp[]): Promise<string[]> {
  const violations: string[] = [];
  for (let start = 0; start < acknowledged.length; start += LOOKUP_CONCURRENCY) {
    const slice = acknowledged.slice(start, start + LOOKUP_CONCURRENCY);
    const found = await Promise.all(slice.map((entry) => store.getTransfer(entry.transferId)));
    slice.forEach((entry, index) => {
      const problem = differs(entry, found[index] ?? null);
      if (problem !== null) violations.push(`acknowledged ${entry.transferId}: ${problem}`);
    });
  }
  return violations;
}

function differs({ op }: AcknowledgedOp, transfer: Transfer | null): string | null {
  if (transfer === null) return 'missing from the store (a 200 that did not last)';
  const expected = {
    kind: op.direction,
    amountMicros: op.amountMicros,
    subaccountId: op.subaccountId,
    idempotencyKey: op.idempotencyKey,
  };
  const actual = {
    kind: transfer.kind,
    amountMicros: transfer.amountMicros,
    subaccountId: transfer.subaccountId,
    idempotencyKey: transfer.idempotencyKey,
  };
  const wrong = (Object.keys(expected) as (keyof typeof expected)[]).filter(
    (field) => expected[field] !== actual[field],
  );
  if (wrong.length === 0) return null;
  return wrong
    .map((field) => `${field} is ${String(actual[field])}, expected ${String(expected[field])}`)
    .join('; ');
}

/** Every add and remove in the store, walked page by page through each main account's history. */
async function storedCredits(store: Store, model: BankModel): Promise<Transfer[]> {
  const transfers: Transfer[] = [];
  for (const main of model.mains) {
    let cursor: string | undefined;
    do {
      const page = await store.listTransfers({ mainAccountId: main.accountId, limit: PAGE_SIZE, cursor });
      transfers.push(
        ...page.items.filter((transfer) => transfer.kind === 'add' || transfer.kind === 'remove'),
      );
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
  return transfers;
}

/**
 * One key, one transfer at most; and, since every operation was retried to a
 * definitive answer, exactly the acknowledged ones: a transfer nobody got a
 * 200 for is an operation applied twice or applied behind a refusal.
 */
function checkNoneTwice(stored: readonly Transfer[], acknowledged: readonly AcknowledgedOp[]): string[] {
  const violations: string[] = [];
  const perKey = new Map<string, number>();
  for (const transfer of stored) {
    if (transfer.idempotencyKey === null) continue;
    perKey.set(transfer.idempotencyKey, (perKey.get(transfer.idempotencyKey) ?? 0) + 1);
  }
  for (const [key, count] of perKey) {
    if (count > 1) violations.push(`idempotency key ${key} moved money ${count} times`);
  }
  const withoutKey = stored.filter((transfer) => transfer.idempotencyKey === null).length;
  if (withoutKey > 0) violations.push(`${withoutKey} stored add/remove transfer(s) carry no idempotency key`);
  const acknowledgedIds = new Set(acknowledged.map((entry) => entry.transferId));
  for (const transfer of stored) {
    if (!acknowledgedIds.has(transfer.id)) {
      violations.push(
        `transfer ${transfer.id} (${transfer.kind} ${transfer.amountMicros} µEUR, key ${transfer.idempotencyKey}) was never acknowledged`,
      );
    }
  }
  if (stored.length !== acknowledged.length) {
    violations.push(`${stored.length} add/remove transfers stored but ${acknowledged.length} acknowledged`);
  }
  return violations;
}

async function checkBalances(store: Store, model: BankModel): Promise<string[]> {
  const violations: string[] = [];
  let customerMicros = 0n;
  for (const [accountId, expected] of model.balances) {
    const account = await store.getAccount(accountId);
    if (account === null) {
      violations.push(`account ${accountId} is missing`);
      continue;
    }
    customerMicros += account.balanceMicros;
    if (account.balanceMicros < 0n)
      violations.push(`account ${accountId} is negative: ${account.balanceMicros}`);
    if (account.balanceMicros !== expected) {
      violations.push(`account ${accountId} holds ${account.balanceMicros} µEUR, the model says ${expected}`);
    }
  }
  const report = await store.verify();
  for (const problem of report.problems) {
    violations.push(`verify: invariant ${problem.invariant}: ${problem.detail}`);
  }
  if (report.fundedMicros !== model.fundedMicros) {
    violations.push(`verify: funded ${report.fundedMicros} µEUR, the operator moved ${model.fundedMicros}`);
  }
  if (report.customerBalanceMicros !== customerMicros) {
    violations.push(
      `verify: customer balances ${report.customerBalanceMicros} µEUR, the bank's accounts hold ${customerMicros}`,
    );
  }
  return violations;
}
