import type { AccountKind } from './accounts.js';
import type { TransferKind } from './transfers.js';

export const ACCOUNT_KINDS: readonly AccountKind[] = ['funding', 'main', 'sub'];
export const TRANSFER_KINDS: readonly TransferKind[] = [
  'add',
  'remove',
  'topup',
  'charge',
  'autotopup',
  'close',
];

/**
 * What /metrics shows of the ledger, read from the store (each store's
 * ledger-stats.ts; the caller caches it: docs/operators.md).
 */
export interface LedgerStats {
  /** Open accounts by kind (a closed subaccount is left out). */
  readonly accounts: Readonly<Record<AccountKind, number>>;
  /** The sum of the open accounts' balances by kind; funding's is minus the money in circulation. */
  readonly balanceMicros: Readonly<Record<AccountKind, bigint>>;
  /** The sum of every transfer's amount by kind since the ledger began (transfers never change). */
  readonly movedMicros: Readonly<Record<TransferKind, bigint>>;
  /** Open customer accounts whose available balance (balance − held) is below their low-balance threshold. */
  readonly belowLowBalance: number;
  /** Events written since the ledger began: each tree's last sequence, summed (events never change). */
  readonly events: number;
}

/**
 * Open accounts of one kind, as the stores' aggregates answer them (`count`
 * accounts, `total` their balances, `below` those under their threshold,
 * `events` their last event sequences summed): integers, as bigint, number
 * or numeric text. A kind may come in several rows (a read in steps); they add up.
 */
export interface AccountKindRow {
  readonly kind: string;
  readonly count: bigint | number | string;
  readonly total: bigint | number | string;
  readonly below: bigint | number | string;
  readonly events: bigint | number | string;
}

/**
 * The stats from the stores' account rows and the money moved by kind, every
 * kind present (0 when the ledger has none of it).
 */
export function ledgerStatsOf(
  accountRows: readonly AccountKindRow[],
  moved: ReadonlyMap<string, bigint>,
): LedgerStats {
  const accounts = zeros(ACCOUNT_KINDS, 0);
  const balanceMicros = zeros(ACCOUNT_KINDS, 0n);
  const movedMicros = zeros(TRANSFER_KINDS, 0n);
  let belowLowBalance = 0;
  let events = 0;
  for (const row of accountRows) {
    const kind = row.kind as AccountKind;
    accounts[kind] += Number(row.count);
    balanceMicros[kind] += BigInt(row.total);
    belowLowBalance += Number(row.below);
    events += Number(row.events);
  }
  for (const [kind, total] of moved) movedMicros[kind as TransferKind] = total;
  return { accounts, balanceMicros, movedMicros, belowLowBalance, events };
}

/** The money moved by kind, as a store keeps it between reads: `total` more of `kind`. */
export function addMoved(moved: Map<string, bigint>, kind: string, total: bigint): void {
  moved.set(kind, (moved.get(kind) ?? 0n) + total);
}

function zeros<K extends string, V>(keys: readonly K[], zero: V): Record<K, V> {
  return Object.fromEntries(keys.map((key) => [key, zero])) as Record<K, V>;
}
