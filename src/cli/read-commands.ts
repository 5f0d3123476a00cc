import { pipeline } from 'node:stream/promises';

import { InvalidArgumentError, Option, type Command } from 'commander';

import type { Account } from '../domain/accounts.js';
import { formatMicros } from '../domain/money.js';
import { decodeCursor, type TransferFilter } from '../domain/pages.js';
import type { Store } from '../domain/store.js';
import type { Transfer, TransferKind } from '../domain/transfers.js';
import * as operator from '../app/operator.js';
import { transfersCsvStream } from '../http/admin/csv.js';
import { withCommonOptions, withStore, type CommonOptions } from './options.js';
import { money, processOutput, refuse, usageError, type JsonValue } from './output.js';

interface TreeOptions extends CommonOptions {
  readonly email?: string;
  readonly accountId?: number;
}

interface ListOptions extends CommonOptions {
  readonly search?: string;
  readonly limit: number;
  readonly cursor?: string;
}

interface HistoryOptions extends TreeOptions {
  readonly token?: string;
  readonly kind?: TransferKind;
  readonly since?: Date;
  readonly until?: Date;
  readonly limit?: number;
  readonly cursor?: string;
  readonly csv?: boolean;
}

const KINDS: readonly TransferKind[] = ['add', 'remove', 'topup', 'charge', 'autotopup', 'close'];
const DEFAULT_LIMIT = 50;
/** One page of a CSV export without --limit, as the operator API streams it. */
const CSV_PAGE = 1000;
/** Subaccounts shown by `account show`; beyond, the line says how many more there are. */
const SHOWN_SUBACCOUNTS = 100;

export function parseId(text: string): number {
  if (!/^[1-9]\d{0,15}$/.test(text)) throw new InvalidArgumentError('expected a positive integer');
  return Number(text);
}

export function parseLimit(text: string): number {
  const limit = parseId(text);
  if (limit > 1000) throw new InvalidArgumentError('expected 1 to 1000');
  return limit;
}

/** A date (`2026-11-27`, midnight UTC) or an ISO-8601 date-time with its zone, as the API reads `since`. */
function parseDate(text: string): Date {
  const shape = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
  const date = new Date(text);
  if (!shape.test(text) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('expected YYYY-MM-DD or an ISO-8601 date-time with its zone');
  }
  return date;
}

/** --email or --account-id, one of the two, naming a main account. */
export function withTreeOptions(command: Command): Command {
  return command
    .addOption(new Option('--email <email>', 'the main account').conflicts('accountId'))
    .option('--account-id <id>', 'the main account, by id', parseId);
}

/** `tirelire account list|show`: what the operator's console shows, read from the store. */
export function addAccountReadCommands(account: Command, setExitCode: (code: number) => void): void {
  withCommonOptions(account.command('list').description('main accounts, newest first'))
    .option('--search <text>', 'part of the email')
    .option('--limit <n>', `how many (1–1000, default ${DEFAULT_LIMIT})`, parseLimit, DEFAULT_LIMIT)
    .option('--cursor <cursor>', 'the nextCursor of the previous page')
    .action(async (options: ListOptions) => setExitCode(await listAccounts(options)));
  withTreeOptions(
    withCommonOptions(account.command('show').description('one main account, its balance and subaccounts')),
  ).action(async (options: TreeOptions) => setExitCode(await showAccount(options)));
}

/** `tirelire history`: the ledger's transfers, newest first, as the operator API lists them. */
export function addHistoryCommand(program: Command, setExitCode: (code: number) => void): void {
  withTreeOptions(
    withCommonOptions(program.command('history').description('transfers, newest first (all, or one tree)')),
  )
    .option('--token <token>', 'one subaccount (tokenSubaccount)')
    .addOption(new Option('--kind <kind>', 'one kind of transfer').choices(KINDS))
    .option('--since <date>', 'from this instant (inclusive)', parseDate)
    .option('--until <date>', 'up to this instant (exclusive)', parseDate)
    .option('--limit <n>', `how many (1–1000, default ${DEFAULT_LIMIT}; --csv: all)`, parseLimit)
    .option('--cursor <cursor>', 'the nextCursor of the previous page')
    .option('--csv', "CSV on stdout, the operator API's columns (RFC 4180)")
    .action(async (options: HistoryOptions) => setExitCode(await history(options)));
}

const eur = (micros: bigint) => `${formatMicros(micros)} EUR`;

function accountJson(account: Account, subaccounts: number): { readonly [key: string]: JsonValue } {
  return {
    accountId: account.id,
    email: account.email,
    status: account.status,
    balance: money(account.balanceMicros),
    held: money(account.heldMicros),
    subaccounts,
    createdAt: account.createdAt.toISOString(),
  };
}

function accountLine(account: Account, subaccounts: number): string {
  const held = account.heldMicros === 0n ? '' : ` (held ${eur(account.heldMicros)})`;
  return `${account.id}  ${account.email}  ${account.status}  ${eur(account.balanceMicros)}${held}  ${subaccounts} subaccount(s)`;
}

function listAccounts(options: ListOptions): Promise<number> {
  return withStore(options, async (store, output) => {
    const { search, limit, cursor } = options;
    const page = await store.listMainAccounts({ search, limit, cursor });
    output.result(
      {
        accounts: page.items.map(({ account, subaccountCount }) => accountJson(account, subaccountCount)),
        nextCursor: page.nextCursor,
      },
      [
        ...page.items.map(({ account, subaccountCount }) => accountLine(account, subaccountCount)),
        ...(page.items.length === 0 ? ['no accounts'] : []),
        ...(page.nextCursor === null ? [] : [`more: --cursor ${page.nextCursor}`]),
      ],
    );
    return 0;
  });
}

/** The main account named by --email or --account-id (22, 30); a usage error without either. */
async function findTree(store: Store, options: TreeOptions): Promise<operator.OperatorResult<Account>> {
  const ref = options.email !== undefined ? options.email : { accountId: options.accountId! };
  return operator.findMainAccountByRef(store, ref);
}

function showAccount(options: TreeOptions): Promise<number> {
  if (options.email === undefined && options.accountId === undefined) {
    return Promise.resolve(
      usageError(processOutput(options.json === true), 'account show needs --email or --account-id'),
    );
  }
  return withStore(options, async (store, output) => {
    const main = await findTree(store, options);
    if (!main.ok) return refuse(output, main.code);
    const account = main.value;
    const subs = await store.listSubaccounts(account.id, 1, SHOWN_SUBACCOUNTS);
    const more = subs.total - subs.items.length;
    output.result(
      {
        ...accountJson(account, subs.total),
        subaccountList: subs.items.map((sub) => ({
          accountId: sub.id,
          email: sub.email,
          type: sub.type,
          token: sub.token,
          balance: money(sub.balanceMicros),
          held: money(sub.heldMicros),
        })),
      },
      [
        accountLine(account, subs.total),
        ...subs.items.map(
          (sub) =>
            `  ${sub.type ?? ''} ${sub.id}  ${sub.email}  ${sub.token ?? ''}  ${eur(sub.balanceMicros)}`,
        ),
        ...(more > 0 ? [`  … and ${more} more`] : []),
      ],
    );
    return 0;
  });
}

async function historyFilter(
  store: Store,
  options: HistoryOptions,
): Promise<operator.OperatorResult<Omit<TransferFilter, 'limit'>>> {
  let mainAccountId: number | undefined;
  if (options.email !== undefined || options.accountId !== undefined) {
    const main = await findTree(store, options);
    if (!main.ok) return main;
    mainAccountId = main.value.id;
  }
  let subaccountId: number | undefined;
  if (options.token !== undefined) {
    const sub = await store.findSubaccountByToken(options.token);
    if (sub === null || (mainAccountId !== undefined && sub.parentId !== mainAccountId))
      return operator.fail(7);
    subaccountId = sub.id;
  }
  const { kind, since, until, cursor } = options;
  return operator.succeed({ mainAccountId, subaccountId, kind, since, until, cursor });
}

function history(options: HistoryOptions): Promise<number> {
  return withStore(options, async (store, output) => {
    const filter = await historyFilter(store, options);
    if (!filter.ok) return refuse(output, filter.code);
    if (options.cursor !== undefined && decodeCursor(options.cursor) === null) {
      return refuse(output, 22, 'cursor');
    }
    if (options.csv === true) return historyCsv(store, filter.value, options.limit);
    const page = await store.listTransfers({ ...filter.value, limit: options.limit ?? DEFAULT_LIMIT });
    output.result({ transfers: page.items.map(transferJson), nextCursor: page.nextCursor }, [
      ...page.items.map(transferLine),
      ...(page.items.length === 0 ? ['no transfers'] : []),
      ...(page.nextCursor === null ? [] : [`more: --cursor ${page.nextCursor}`]),
    ]);
    return 0;
  });
}

/** Without --limit the whole filtered history, read a page at a time while stdout takes it. */
async function historyCsv(
  store: Store,
  filter: Omit<TransferFilter, 'limit'>,
  limit: number | undefined,
): Promise<number> {
  const first = await store.listTransfers({ ...filter, limit: limit ?? CSV_PAGE });
  const next = (cursor: string) => store.listTransfers({ ...filter, limit: CSV_PAGE, cursor });
  // With --limit, one page only: its next cursor is printed on stderr rather than followed.
  const page = limit === undefined ? first : { items: first.items, nextCursor: null };
  await pipeline(transfersCsvStream(page, next), process.stdout, { end: false });
  if (limit !== undefined && first.nextCursor !== null)
    process.stderr.write(`tirelire: more: --cursor ${first.nextCursor}\n`);
  return 0;
}

function transferJson(transfer: Transfer): { readonly [key: string]: JsonValue } {
  return {
    id: transfer.id,
    kind: transfer.kind,
    amount: money(transfer.amountMicros),
    accountId: transfer.mainAccountId,
    tokenSubaccount: transfer.subaccountToken,
    debitAccountId: transfer.debitAccountId,
    creditAccountId: transfer.creditAccountId,
    reason: transfer.reason,
    operator: transfer.operator,
    idempotencyKey: transfer.idempotencyKey,
    createdAt: transfer.createdAt.toISOString(),
  };
}

function transferLine(transfer: Transfer): string {
  const sub = transfer.subaccountToken === null ? '' : ` subaccount ${transfer.subaccountToken}`;
  const why = transfer.reason === null ? '' : `  ${transfer.reason}`;
  return `${transfer.createdAt.toISOString()}  ${transfer.kind.padEnd(9)}  ${eur(transfer.amountMicros).padStart(16)}  account ${transfer.mainAccountId}${sub}  ${transfer.id}${why}`;
}
