import type { Command } from 'commander';

import { parseAmount } from '../domain/money.js';
import type { AccountRules, RulesPatch } from '../domain/rules.js';
import type { Store } from '../domain/store.js';
import * as operator from '../app/operator.js';
import * as rules from '../app/rules.js';
import { rulesShape } from '../app/rules.js';
import { withCommonOptions, withStore, type CommonOptions } from './options.js';
import { money, refuse, type Output } from './output.js';

interface TargetOptions extends CommonOptions {
  readonly email: string;
  /** A subaccount of the main account, by its token. */
  readonly token?: string;
}

/**
 * Each rule's option is absent (unchanged), a value, or false from its
 * `--no-…` form (removed), as commander gives them.
 */
interface SetOptions extends TargetOptions {
  readonly lowBalance?: string | false;
  readonly topup?: false;
  readonly topupBelow?: string;
  readonly topupTo?: string;
  readonly topupAdd?: string;
  readonly cap?: string | false;
  readonly capPeriod?: string;
}

/** `tirelire account rules show|set`: an account's balance rules (contract section 8). */
export function addRulesCommands(account: Command, setExitCode: (code: number) => void): void {
  const group = account.command('rules').description("show or change an account's balance rules");
  const target = (command: Command) =>
    withCommonOptions(command)
      .requiredOption('--email <email>', 'the main account')
      .option('--token <token>', 'one of its subaccounts instead (tokenSubaccount)');
  target(group.command('show').description('print the rules')).action(async (options: TargetOptions) =>
    setExitCode(await show(options)),
  );
  target(group.command('set').description('set rules (a --no-… option removes one); prints the rules after'))
    .option('--low-balance <amount>', 'balance.low below this available balance')
    .option('--no-low-balance', 'remove the low-balance threshold')
    .option('--topup-below <amount>', 'automatic top-up when a usage debit would leave less than this')
    .option('--topup-to <amount>', '… bringing the subaccount to this after the debit')
    .option('--topup-add <amount>', '… or adding this fixed amount')
    .option('--no-topup', 'remove the automatic top-up')
    .option('--cap <amount>', 'spending cap on usage per period')
    .option('--cap-period <period>', 'day or month (UTC)')
    .option('--no-cap', 'remove the spending cap')
    .action(async (options: SetOptions) => setExitCode(await set(options)));
}

const amount = (text: string | undefined) => (text === undefined ? null : parseAmount(text));

/** The options as a patch, read like an HTTP body: the domain decides the codes (22, 20, 5). */
function patchOf(options: SetOptions): RulesPatch {
  const topupGiven = [options.topupBelow, options.topupTo, options.topupAdd].some(
    (text) => text !== undefined,
  );
  const capGiven = typeof options.cap === 'string' || options.capPeriod !== undefined;
  return {
    lowBalance:
      options.lowBalance === undefined
        ? { kind: 'absent' }
        : options.lowBalance === false
          ? { kind: 'remove' }
          : { kind: 'set', amount: parseAmount(options.lowBalance) },
    autoTopup: topupGiven
      ? {
          kind: 'set',
          below: amount(options.topupBelow),
          to: amount(options.topupTo),
          add: amount(options.topupAdd),
        }
      : options.topup === false
        ? { kind: 'remove' }
        : { kind: 'absent' },
    spendingCap: capGiven
      ? {
          kind: 'set',
          amount: amount(typeof options.cap === 'string' ? options.cap : undefined),
          period: options.capPeriod ?? null,
        }
      : options.cap === false
        ? { kind: 'remove' }
        : { kind: 'absent' },
    // A --no-… form beside a value of the same rule asks for two things at once.
    malformed: (topupGiven && options.topup === false) || (capGiven && options.cap === false),
  };
}

/** The main account by email (22, 30), then the command on it or its subaccount `--token`. */
function onAccount(
  options: TargetOptions,
  run: (store: Store, ref: operator.OwnedAccountRef) => Promise<operator.OperatorResult<AccountRules>>,
): Promise<number> {
  return withStore(options, async (store, output) => {
    const main = await operator.findMainAccountByRef(store, options.email);
    if (!main.ok) return refuse(output, main.code);
    const result = await run(store, { mainAccountId: main.value.id, tokenSubaccount: options.token });
    if (!result.ok) return refuse(output, result.code);
    return print(output, main.value.id, options.token, result.value);
  });
}

function show(options: TargetOptions): Promise<number> {
  return onAccount(options, async (store, ref) => {
    const found = await rules.getRules(store, ref);
    return found.ok ? operator.succeed(found.value.rules) : found;
  });
}

function set(options: SetOptions): Promise<number> {
  return onAccount(options, (store, ref) => rules.setRules(store, ref, patchOf(options)));
}

function print(output: Output, accountId: number, token: string | undefined, current: AccountRules): number {
  // Money as exact JSON numbers with --json, as every command writes it.
  const json = rulesShape(current, money);
  const { lowBalanceMicros, autoTopup, spendingCap } = current;
  const eur = (micros: bigint) => `${money(micros).toString()} EUR`;
  const lines = [
    `rules of ${token === undefined ? `account ${accountId}` : `subaccount ${token} of account ${accountId}`}:`,
    `  low balance: ${lowBalanceMicros === null ? 'none' : `below ${eur(lowBalanceMicros)}`}`,
    `  automatic top-up: ${
      autoTopup === null
        ? 'none'
        : `below ${eur(autoTopup.belowMicros)}, ${
            autoTopup.toMicros !== null ? `to ${eur(autoTopup.toMicros)}` : `add ${eur(autoTopup.addMicros!)}`
          }`
    }`,
    `  spending cap: ${spendingCap === null ? 'none' : `${eur(spendingCap.amountMicros)} per ${spendingCap.period}`}`,
  ];
  output.result({ accountId, tokenSubaccount: token ?? null, rules: json }, lines);
  return 0;
}
