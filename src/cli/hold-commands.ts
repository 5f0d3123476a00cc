import { Option, type Command } from 'commander';

import type { Hold, HoldStatus } from '../domain/holds.js';
import type { Store } from '../domain/store.js';
import { formatMicros } from '../domain/money.js';
import * as holds from '../app/holds.js';
import * as operator from '../app/operator.js';
import { withCommonOptions, withStore, defaultOperator, type CommonOptions } from './options.js';
import { money, processOutput, refuse, usageError, type JsonValue, type Output } from './output.js';
import { parseLimit, withTreeOptions } from './read-commands.js';

interface TreeOptions extends CommonOptions {
  readonly email?: string;
  readonly accountId?: number;
}

interface PlaceOptions extends TreeOptions {
  readonly credit: string;
  readonly token?: string;
  readonly expiresIn?: string;
  readonly reason?: string;
}

interface SettleOptions extends CommonOptions {
  readonly credit?: string;
  readonly operator: string;
}

interface ListOptions extends TreeOptions {
  readonly status?: HoldStatus;
  readonly limit: number;
  readonly cursor?: string;
}

const STATUSES: readonly HoldStatus[] = ['pending', 'captured', 'voided', 'expired'];

/** `tirelire hold place|capture|void|list`: holds (contract section 9), through the operator service. */
export function addHoldCommands(program: Command, setExitCode: (code: number) => void): void {
  const hold = program.command('hold').description('reserve credit, then capture or void it');
  const leaf = (name: string, description: string) =>
    withCommonOptions(hold.command(name).description(description));
  const tree = withTreeOptions;

  tree(leaf('place', 'reserve credit on a main account or one of its subaccounts'))
    .requiredOption('--credit <amount>', 'EUR to reserve')
    .option('--token <token>', 'a subaccount of the account instead (tokenSubaccount)')
    .option('--expires-in <seconds>', 'whole seconds, 1–604800 (default 3600)')
    .option('--reason <text>', 'kept on the hold and on its capture')
    .action(async (options: PlaceOptions) => setExitCode(await place(options)));
  const settle = (name: 'capture' | 'void', description: string) =>
    leaf(name, description)
      .argument('<holdId>', 'the hold (hold_…)')
      .addOption(
        new Option('--operator <name>', 'operator name kept on the charge').default(defaultOperator()),
      );
  settle('capture', 'charge a pending hold, whole or in part (--credit); the rest is released')
    .option('--credit <amount>', 'EUR to charge, at most the hold (default: the whole hold)')
    .action(async (holdId: string, options: SettleOptions) =>
      setExitCode(await settleHold(holdId, 'capture', options)),
    );
  settle('void', 'release a pending hold').action(async (holdId: string, options: SettleOptions) =>
    setExitCode(await settleHold(holdId, 'void', options)),
  );
  tree(leaf('list', "a main account's holds and its subaccounts', newest first"))
    .addOption(new Option('--status <status>', 'one status only').choices(STATUSES))
    .option('--limit <n>', 'how many (1–1000, default 50)', parseLimit, 50)
    .option('--cursor <cursor>', 'the nextCursor of the previous page')
    .action(async (options: ListOptions) => setExitCode(await list(options)));
}

/**
 * Runs `run` on the main account named by --email or --account-id (22, 30);
 * a usage error when neither is given.
 */
function onMain(
  command: string,
  options: TreeOptions,
  run: (store: Store, output: Output, mainAccountId: number) => Promise<number>,
): Promise<number> {
  if (options.email === undefined && options.accountId === undefined) {
    const output = processOutput(options.json === true);
    return Promise.resolve(usageError(output, `hold ${command} needs --email or --account-id`));
  }
  return withStore(options, async (store, output) => {
    const ref = options.email !== undefined ? options.email : { accountId: options.accountId! };
    const main = await operator.findMainAccountByRef(store, ref);
    if (!main.ok) return refuse(output, main.code);
    return run(store, output, main.value.id);
  });
}

function holdJson(hold: Hold): { readonly [key: string]: JsonValue } {
  return {
    holdId: hold.id,
    accountId: hold.mainAccountId,
    tokenSubaccount: hold.tokenSubaccount,
    amount: money(hold.amountMicros),
    captured: money(hold.capturedMicros),
    status: hold.status,
    reason: hold.reason,
    createdAt: hold.createdAt.toISOString(),
    expiresAt: hold.expiresAt.toISOString(),
  };
}

const where = (hold: Hold) =>
  hold.tokenSubaccount === null
    ? `account ${hold.mainAccountId}`
    : `subaccount ${hold.tokenSubaccount} of account ${hold.mainAccountId}`;
const eur = (micros: bigint) => `${formatMicros(micros)} EUR`;

function place(options: PlaceOptions): Promise<number> {
  return onMain('place', options, async (store, output, mainAccountId) => {
    const ref = { mainAccountId, tokenSubaccount: options.token };
    const input = { credit: options.credit, reason: options.reason, expiresIn: options.expiresIn };
    const result = await holds.placeHold(store, ref, input);
    if (!result.ok) return refuse(output, result.code);
    const { hold } = result.value;
    output.result(holdJson(hold), [
      `hold ${hold.id}: ${eur(hold.amountMicros)} reserved on ${where(hold)} until ${hold.expiresAt.toISOString()}`,
    ]);
    return 0;
  });
}

function settleHold(holdId: string, kind: 'capture' | 'void', options: SettleOptions): Promise<number> {
  return withStore(options, async (store, output) => {
    const input = { credit: options.credit, operator: options.operator };
    const result = await holds.settleHold(store, holdId, kind, input);
    if (!result.ok) return refuse(output, result.code);
    const { hold, transfer } = result.value;
    output.result({ ...holdJson(hold), transferId: transfer?.id ?? null }, [
      kind === 'void'
        ? `hold ${hold.id} voided: ${eur(hold.amountMicros)} released on ${where(hold)}`
        : `hold ${hold.id} captured: ${eur(hold.capturedMicros)} charged on ${where(hold)}, ${eur(hold.amountMicros - hold.capturedMicros)} released`,
      ...(transfer === null ? [] : [`transfer ${transfer.id}`]),
    ]);
    return 0;
  });
}

function list(options: ListOptions): Promise<number> {
  return onMain('list', options, async (store, output, accountId) => {
    const { status, limit, cursor } = options;
    const page = await holds.listHolds(store, { accountId, status, limit, cursor });
    if (!page.ok) return refuse(output, page.code);
    const { items, nextCursor } = page.value;
    output.result({ holds: items.map(holdJson), nextCursor }, [
      ...items.map(
        (hold) =>
          `${hold.id}  ${hold.status.padEnd(8)}  ${eur(hold.amountMicros)} (captured ${eur(hold.capturedMicros)})  ${where(hold)}${hold.reason === null ? '' : `  ${hold.reason}`}`,
      ),
      ...(items.length === 0 ? ['no holds'] : []),
      ...(nextCursor === null ? [] : [`more: --cursor ${nextCursor}`]),
    ]);
    return 0;
  });
}
