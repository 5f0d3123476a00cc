import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HISTORY_MARK_EVERY,
  readHistoryPage,
  readHistoryPageAsync,
  type ChainLink,
  type HistoryChain,
} from './history-chain.js';
import type { TransferFilter } from './pages.js';
import type { Transfer, TransferKind } from './transfers.js';

/**
 * The walk both stores share, against a ledger kept in memory: the chain is
 * built from the rows as the stores link them, and the questions are answered
 * as HistoryChain documents them. Walking every page with its cursors must
 * give the subaccount's matching transfers once each, newest first, whatever
 * the filters, the page size, the examine bound and where the first cursor
 * points (a transfer of the history, of another, or none).
 */
interface Row extends ChainLink {
  readonly rank: number;
}

const SUB = 7;
const OTHER = 8;
const KINDS: readonly TransferKind[] = ['add', 'remove', 'charge'];

function ledgerOf(owners: readonly number[], kinds: readonly number[]): Map<bigint, Row> {
  const rows = new Map<bigint, Row>();
  const heads = new Map<number, { seq: bigint; rank: number }>();
  owners.forEach((owner, index) => {
    const seq = BigInt(index + 1);
    const head = heads.get(owner);
    const transfer: Transfer = {
      id: `t${seq}`,
      kind: KINDS[kinds[index]! % KINDS.length]!,
      debitAccountId: 1,
      creditAccountId: owner,
      amountMicros: 1n,
      debitBalanceAfterMicros: 0n,
      creditBalanceAfterMicros: 0n,
      mainAccountId: 1,
      subaccountId: owner,
      subaccountToken: null,
      idempotencyKey: null,
      reason: null,
      operator: null,
      createdAt: new Date(1_000 * index),
    };
    const rank = (head?.rank ?? 0) + 1;
    rows.set(seq, { seq, previousSeq: head?.seq ?? null, transfer, rank });
    heads.set(owner, { seq, rank });
  });
  return rows;
}

function chainOf(rows: Map<bigint, Row>): HistoryChain<'sync'> {
  const walk = (from: bigint | null, count: number) => {
    const links: ChainLink[] = [];
    for (let at = from; at !== null && links.length < count;) {
      const row = rows.get(at);
      if (row === undefined) break;
      links.push(row);
      at = row.previousSeq;
    }
    return links;
  };
  const mine = [...rows.values()].filter((row) => row.transfer.subaccountId === SUB);
  const head = mine.at(-1)?.seq ?? null;
  return {
    start: (sub, cursor, count) => {
      expect(sub).toBe(SUB);
      if (cursor === null) return walk(head, count);
      const at = rows.get(cursor);
      if (at !== undefined && at.transfer.subaccountId === sub) return walk(at.previousSeq, count);
      const mark = mine.find((row) => row.seq > cursor && row.rank % HISTORY_MARK_EVERY === 0);
      return walk(mark?.seq ?? head, count);
    },
    walk,
  };
}

describe('a subaccount history read along its chain', () => {
  it('gives every matching transfer once, newest first, from any first cursor', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(SUB, OTHER), { minLength: 0, maxLength: 400 }),
        fc.array(fc.nat(), { minLength: 400, maxLength: 400 }),
        fc.record({
          limit: fc.integer({ min: 1, max: 30 }),
          kind: fc.option(fc.constantFrom(...KINDS), { nil: undefined }),
          since: fc.option(fc.nat(400), { nil: undefined }),
          examineLimit: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
          firstCursor: fc.option(fc.integer({ min: 1, max: 402 }), { nil: undefined }),
        }),
        (owners, kinds, options) => {
          const rows = ledgerOf(owners, kinds);
          const counted = chainOf(rows);
          let walked = 0;
          const chain: HistoryChain<'sync'> = {
            start: (...args) => tally(counted.start(...args)),
            walk: (...args) => tally(counted.walk(...args)),
          };
          const tally = (links: ChainLink[]) => ((walked += links.length), links);
          const filter: TransferFilter & { subaccountId: number } = {
            subaccountId: SUB,
            limit: options.limit,
            kind: options.kind,
            since: options.since === undefined ? undefined : new Date(1_000 * options.since),
            examineLimit: options.examineLimit,
          };
          const below = options.firstCursor === undefined ? Infinity : options.firstCursor;
          const expected = [...rows.values()]
            .filter(
              (row) =>
                row.transfer.subaccountId === SUB &&
                Number(row.seq) < below &&
                (filter.kind === undefined || row.transfer.kind === filter.kind) &&
                (filter.since === undefined || row.transfer.createdAt >= filter.since),
            )
            .map((row) => row.transfer.id)
            .reverse();
          const seen: string[] = [];
          let cursor = options.firstCursor === undefined ? undefined : String(options.firstCursor);
          for (let pages = 0; ; pages += 1) {
            expect(pages).toBeLessThan(1_000);
            walked = 0;
            const page = readHistoryPage(chain, { ...filter, cursor });
            expect(page.items.length).toBeLessThanOrEqual(filter.limit);
            // A page checked row by row reads its bound, and the rows from a mark down to the cursor.
            const bounded = filter.kind !== undefined || filter.since !== undefined;
            if (bounded && filter.examineLimit !== undefined)
              expect(walked).toBeLessThanOrEqual(filter.examineLimit + HISTORY_MARK_EVERY - 1);
            seen.push(...page.items.map((transfer) => transfer.id));
            if (page.nextCursor === null) break;
            cursor = page.nextCursor;
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers the same awaited, and names a chain that breaks', async () => {
    const rows = ledgerOf([SUB, OTHER, SUB, SUB, OTHER, SUB], [0, 0, 0, 0, 0, 0]);
    const chain = chainOf(rows);
    const sync = readHistoryPage(chain, { subaccountId: SUB, limit: 2 });
    const awaited = await readHistoryPageAsync(
      { start: async (...args) => chain.start(...args), walk: async (...args) => chain.walk(...args) },
      { subaccountId: SUB, limit: 2 },
    );
    expect(awaited).toEqual(sync);
    expect(sync.items.map((transfer) => transfer.id)).toEqual(['t6', 't4']);
    rows.delete(3n);
    expect(() => readHistoryPage(chain, { subaccountId: SUB, limit: 10 })).toThrow(
      "subaccount 7's history names a missing transfer (seq 3)",
    );
  });
});
