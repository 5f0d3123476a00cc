import {
  cursorPosition,
  encodeCursor,
  pageOf,
  transfersExamined,
  type TransferFilter,
  type TransferPage,
} from './pages.js';
import type { Transfer } from './transfers.js';

/**
 * A subaccount's history as both stores keep it: a chain instead of an index.
 * Each transfer of a subaccount names the seq of the subaccount's transfer
 * before it and its rank in that history from 1; the subaccount's row names
 * its last transfer and how many it has, a row each transfer updates anyway.
 * An index on (subaccount, seq) put one leaf per subaccount moved into every
 * commit, scattered over the whole index as the ledger grew
 * (docs/benchmarks.md, "Growth"); what is left of it indexes one transfer in
 * HISTORY_MARK_EVERY, for a cursor that is not one of the history's own.
 * Fixed for good: the stores' migrations build that partial index with it.
 */
export const HISTORY_MARK_EVERY = 64;

/** A transfer as a walk of its subaccount's chain reads it. */
export interface ChainLink {
  readonly seq: bigint;
  /** The seq of the subaccount's transfer before this one; null for its first. */
  readonly previousSeq: bigint | null;
  readonly transfer: Transfer;
}

/** Answered at once (SQLite, on the event loop) or with a promise (PostgreSQL). */
type Answer<Mode, T> = Mode extends 'sync' ? T : Promise<T>;

/** What a walk asks its store, one statement each. */
export interface HistoryChain<Mode> {
  /**
   * Up to `count` links of the subaccount's chain, newest first, from where a
   * page starts: with no cursor, the subaccount's last transfer (its row's
   * head); with a cursor that is one of its transfers, the transfer before
   * it; with any other position, the first transfer above it whose rank is a
   * multiple of HISTORY_MARK_EVERY (the partial index), or else the head.
   * None when there is nothing there.
   */
  start(subaccountId: number, cursor: bigint | null, count: number): Answer<Mode, ChainLink[]>;
  /** Up to `count` links of a chain from the transfer `from` down, newest first. */
  walk(from: bigint, count: number): Answer<Mode, ChainLink[]>;
}

/** Rows walked per statement at least. */
const WALK_CHUNK = 16;
/** The same when rows are checked against filters, which may reject most of them. */
const FILTERED_WALK_CHUNK = 256;

type Ask =
  | { readonly subaccountId: number; readonly cursor: bigint | null; readonly count: number }
  | { readonly from: bigint; readonly count: number };

/**
 * One page of a subaccount's transfers, newest first, read along its chain
 * from where the store's `start` puts it: from a position that is not one of
 * the history's transfers, fewer than HISTORY_MARK_EVERY rows are walked
 * before the cursor is passed. Rows never change and a commit only adds rows
 * above the head read, so the walk sees one consistent history without a
 * read transaction. The other filters are checked on each row, and the walk
 * stops after the transfers a page may examine (transfersExamined): a page
 * that found fewer than `limit` by then ends at the last one walked, so the
 * next walks on from there. Written once as the questions it asks, which a
 * store answers at once (SQLite) or awaits (PostgreSQL); an unfiltered page
 * from the head or from a cursor of its history is one question.
 */
function* historyPage(
  filter: TransferFilter & { readonly subaccountId: number },
): Generator<Ask, TransferPage, ChainLink[]> {
  const sub = filter.subaccountId;
  const cursor = filter.cursor === undefined ? null : cursorPosition(filter.cursor);
  const matches = linkFilter(filter);
  const examine = transfersExamined(filter) ?? Infinity;
  const links: ChainLink[] = [];
  let examined = 0;
  let lastExamined: bigint | null = null;
  // Up to the rows still wanted, in one statement; more when some may not match.
  const chunk = () =>
    Math.min(
      Math.max(filter.limit + 1 - links.length, examine === Infinity ? WALK_CHUNK : FILTERED_WALK_CHUNK),
      examine - examined,
    );
  let question: Ask | null = { subaccountId: sub, cursor, count: chunk() };
  let next: bigint | null = null;
  while (question !== null) {
    const walked: ChainLink[] = yield question;
    if (walked.length === 0) {
      if ('from' in question)
        throw new Error(`subaccount ${sub}'s history names a missing transfer (seq ${question.from})`);
      break;
    }
    for (const link of walked) {
      if (links.length > filter.limit) break;
      // Rows walked from a mark down to the cursor are not the page's: they are not examined.
      if (cursor !== null && link.seq >= cursor) continue;
      examined += 1;
      lastExamined = link.seq;
      if (matches(link.transfer)) links.push(link);
    }
    next = walked.at(-1)!.previousSeq;
    question =
      next !== null && links.length <= filter.limit && examined < examine
        ? { from: next, count: chunk() }
        : null;
  }
  const page = pageOf(links, filter.limit, (link) => link.seq);
  const cutAt = page.nextCursor === null && next !== null && examined >= examine ? lastExamined : null;
  return {
    items: page.rows.map((link) => link.transfer),
    nextCursor: cutAt === null ? page.nextCursor : encodeCursor(cutAt),
  };
}

function ask<Mode>(chain: HistoryChain<Mode>, question: Ask): Answer<Mode, ChainLink[]> {
  return 'from' in question
    ? chain.walk(question.from, question.count)
    : chain.start(question.subaccountId, question.cursor, question.count);
}

/** A page of a subaccount's history from a store that answers at once. */
export function readHistoryPage(
  chain: HistoryChain<'sync'>,
  filter: TransferFilter & { readonly subaccountId: number },
): TransferPage {
  const page = historyPage(filter);
  let step = page.next();
  while (step.done !== true) step = page.next(ask(chain, step.value));
  return step.value;
}

/** A page of a subaccount's history from a store that answers with promises. */
export async function readHistoryPageAsync(
  chain: HistoryChain<'async'>,
  filter: TransferFilter & { readonly subaccountId: number },
): Promise<TransferPage> {
  const page = historyPage(filter);
  let step = page.next();
  while (step.done !== true) step = page.next(await ask(chain, step.value));
  return step.value;
}

/** The filters other than the subaccount and the cursor, as a test of one transfer. */
function linkFilter(filter: TransferFilter): (transfer: Transfer) => boolean {
  const since = filter.since?.getTime();
  const until = filter.until?.getTime();
  return (transfer) =>
    (filter.mainAccountId === undefined || transfer.mainAccountId === filter.mainAccountId) &&
    (filter.kind === undefined || transfer.kind === filter.kind) &&
    (since === undefined || transfer.createdAt.getTime() >= since) &&
    (until === undefined || transfer.createdAt.getTime() < until);
}
