import { expect, it } from 'vitest';
import { decodeCursor, MAX_TRANSFERS_EXAMINED, type TransferFilter } from '../../src/domain/pages.js';
import type { Store } from '../../src/domain/store.js';
import type { Transfer } from '../../src/domain/transfers.js';
import { creditCommand, operatorCommand, seedMain, seedSub, type SeededMain } from '../helpers/fixtures.js';
import { describeEachStore } from '../helpers/stores.js';

/**
 * A page filtered row by row (since, until, a kind its index does not hold)
 * examines at most `examineLimit` transfers of what its index gives: it may
 * hold fewer than `limit`, none even, and still have a next one; followed to
 * the end, the pages give exactly the filtered history, in order.
 */
const BASE = Date.parse('2026-01-01T00:00:00Z');
const minute = (n: number) => new Date(BASE + n * 60_000);

interface Ledger {
  readonly main: SeededMain;
  readonly subs: readonly { token: string; accountId: number }[];
}

/** 40 transfers a minute apart: adds and removes in turn over two subaccounts, a top-up every tenth. */
async function seedLedger(store: Store): Promise<Ledger> {
  const main = await seedMain(store, '1000');
  const subs = [await seedSub(store, main, '1'), await seedSub(store, main, '1')];
  for (let n = 0; n < 40; n += 1) {
    if (n % 10 === 9) {
      const outcome = await store.operatorTransfer({
        ...operatorCommand('topup', main.accountId),
        createdAt: minute(n),
      });
      expect(outcome.ok).toBe(true);
      continue;
    }
    const command = creditCommand(n % 3 === 2 ? 'remove' : 'add', main.keyHash, subs[n % 2]!.token, '0.01');
    const [outcome] = await store.applyCredits([{ ...command, createdAt: minute(n) }]);
    expect(outcome!.ok).toBe(true);
  }
  return { main, subs };
}

/** Every transfer of a scope, newest first, with its position (the cursor a page of one ends at). */
async function positions(
  store: Store,
  scope: TransferFilter,
): Promise<{ transfer: Transfer; seq: bigint }[]> {
  const found: { transfer: Transfer; seq: bigint }[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listTransfers({
      ...scope,
      limit: 1,
      ...(cursor === undefined ? {} : { cursor }),
    });
    if (page.items.length === 0) return found;
    const seq = page.nextCursor === null ? 0n : decodeCursor(page.nextCursor)!;
    found.push({ transfer: page.items[0]!, seq });
    if (page.nextCursor === null) return found;
    cursor = page.nextCursor;
  }
}

/** Follows `filter`'s pages to the end, checking each against the scope's transfers; answers the pages. */
async function follow(store: Store, scope: TransferFilter, filter: TransferFilter) {
  const all = await positions(store, scope);
  const pages: Transfer[][] = [];
  let cursor: string | undefined;
  let above = Infinity as number | bigint;
  do {
    const page = await store.listTransfers({ ...filter, ...(cursor === undefined ? {} : { cursor }) });
    expect(page.items.length).toBeLessThanOrEqual(filter.limit);
    pages.push([...page.items]);
    const next = page.nextCursor === null ? 0n : decodeCursor(page.nextCursor)!;
    // What the page went over: the scope's transfers from its end up to the previous page's.
    const over = all.filter(({ seq }) => seq >= next && seq < above).length;
    if (filter.examineLimit !== undefined && page.nextCursor !== null) {
      expect(over).toBeLessThanOrEqual(filter.examineLimit);
    }
    expect(over).toBeGreaterThan(0);
    above = next;
    cursor = page.nextCursor ?? undefined;
    expect(pages.length).toBeLessThan(100);
  } while (cursor !== undefined);
  return { pages, all: all.map(({ transfer }) => transfer) };
}

const ids = (transfers: readonly Transfer[]) => transfers.map((transfer) => transfer.id);
const within = (since: Date | undefined, until: Date | undefined) => (transfer: Transfer) =>
  (since === undefined || transfer.createdAt >= since) && (until === undefined || transfer.createdAt < until);

await describeEachStore('a filtered history examines a bounded window a page', (current) => {
  it('a window far back: empty pages with a next cursor, then exactly the transfers in it', async () => {
    const { store } = current();
    const { main } = await seedLedger(store);
    const scope = { mainAccountId: main.accountId, limit: 100 };
    const until = minute(8);
    const { pages, all } = await follow(store, scope, { ...scope, until, limit: 5, examineLimit: 6 });
    expect(ids(pages.flat())).toEqual(ids(all.filter(within(undefined, until))));
    expect(pages.flat()).toHaveLength(8);
    // The newest transfers are past the window: the first pages find none of it, yet go on.
    expect(pages[0]).toEqual([]);
    expect(pages.length).toBeGreaterThan(all.length / 6);
  });

  it('since and until together, and a kind the tree’s index does not hold', async () => {
    const { store } = current();
    const { main } = await seedLedger(store);
    const scope = { mainAccountId: main.accountId, limit: 100 };
    const since = minute(12);
    const until = minute(31);
    const windowed = await follow(store, scope, { ...scope, since, until, limit: 3, examineLimit: 4 });
    expect(ids(windowed.pages.flat())).toEqual(ids(windowed.all.filter(within(since, until))));
    const removes = await follow(store, scope, { ...scope, kind: 'remove', limit: 2, examineLimit: 5 });
    expect(ids(removes.pages.flat())).toEqual(
      ids(removes.all.filter((transfer) => transfer.kind === 'remove')),
    );
    expect(removes.pages.some((page) => page.length < 2 && page !== removes.pages.at(-1))).toBe(true);
  });

  it('a subaccount’s history, and the platform’s filtered by kind', async () => {
    const { store } = current();
    const { main, subs } = await seedLedger(store);
    const sub = { subaccountId: subs[0]!.accountId, limit: 100 };
    const until = minute(20);
    const history = await follow(store, sub, { ...sub, until, limit: 2, examineLimit: 3 });
    expect(ids(history.pages.flat())).toEqual(ids(history.all.filter(within(undefined, until))));
    expect(history.pages[0]).toEqual([]);

    const platform = { limit: 100 };
    const topups = await follow(store, platform, { ...platform, kind: 'topup', limit: 2, examineLimit: 7 });
    const expected = topups.all.filter((transfer) => transfer.kind === 'topup');
    expect(ids(topups.pages.flat())).toEqual(ids(expected));
    // The tree's opening top-up and its four.
    expect(expected.filter((transfer) => transfer.mainAccountId === main.accountId)).toHaveLength(5);
  });

  it('pages that their index answers whole are not windowed', async () => {
    const { store } = current();
    const { main } = await seedLedger(store);
    const tree = await store.listTransfers({ mainAccountId: main.accountId, limit: 10, examineLimit: 2 });
    expect(tree.items).toHaveLength(10);
    const topups = await store.listTransfers({
      mainAccountId: main.accountId,
      kind: 'topup',
      limit: 5,
      examineLimit: 2,
    });
    expect(topups.items).toHaveLength(5);
    expect(topups.nextCursor).toBeNull();
  });

  it('by default a page examines MAX_TRANSFERS_EXAMINED: a small ledger answers in one page', async () => {
    const { store } = current();
    const { main } = await seedLedger(store);
    expect(MAX_TRANSFERS_EXAMINED).toBeGreaterThan(41);
    const page = await store.listTransfers({ mainAccountId: main.accountId, until: minute(8), limit: 100 });
    expect(page.items).toHaveLength(8);
    expect(page.nextCursor).toBeNull();
  });
});
