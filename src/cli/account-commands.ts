import { Option, type Command } from 'commander';

import type { Account } from '../domain/accounts.js';
import { formatMicros } from '../domain/money.js';
import * as operator from '../app/operator.js';
import {
  withAuditOptions,
  withCommonOptions,
  withStore,
  type AuditOptions,
  type CommonOptions,
} from './options.js';
import { money, processOutput, refuse, usageError, type Output } from './output.js';
import { addAccountReadCommands, parseId } from './read-commands.js';
import { addRulesCommands } from './rules-commands.js';

interface EmailOptions extends CommonOptions {
  readonly email: string;
}

type ActionOptions = EmailOptions & AuditOptions;

interface CreditOptions extends EmailOptions, AuditOptions {
  readonly credit: string;
}

interface CreateOptions extends EmailOptions, AuditOptions {
  readonly credit?: string;
}

interface ChargeOptions extends CommonOptions, AuditOptions {
  readonly email?: string;
  readonly accountId?: number;
  readonly credit: string;
}

/** `tirelire account …`: each subcommand is one call of the shared operator service. */
export function addAccountCommands(program: Command, setExitCode: (code: number) => void): void {
  // Created through program.command() so it inherits the program's exit and output settings.
  const account = program.command('account').description('operator actions on main accounts');
  const leaf = <T>(name: string, description: string, run: (options: T) => Promise<number>) =>
    withCommonOptions(account.command(name).description(description)).action(async (options: T) =>
      setExitCode(await run(options)),
    );

  withAuditOptions(leaf('create', 'create a main account and print its API key', create))
    .requiredOption('--email <email>', 'the account owner')
    .option('--credit <amount>', 'opening balance in EUR, from the funding account');
  withAuditOptions(leaf('topup', 'add credit paid to the platform', topUp))
    .requiredOption('--email <email>', 'the main account')
    .requiredOption('--credit <amount>', 'EUR to add');
  withAuditOptions(leaf('charge', 'debit credit consumed (usage) back to the funding account', charge))
    .addOption(new Option('--email <email>', 'the main account').conflicts('accountId'))
    .option('--account-id <id>', 'any customer account, e.g. a subaccount', parseId)
    .requiredOption('--credit <amount>', 'EUR to charge');
  // Suspend, resume and rotate-key move no money: --operator and --reason go to the audit trail.
  withAuditOptions(
    leaf('suspend', "refuse the account's key (code 4) until resumed", (o: ActionOptions) =>
      setStatus(o, 'suspended'),
    ),
  ).requiredOption('--email <email>', 'the main account');
  withAuditOptions(
    leaf('resume', 'accept the account key again', (o: ActionOptions) => setStatus(o, 'active')),
  ).requiredOption('--email <email>', 'the main account');
  withAuditOptions(
    leaf('rotate-key', 'issue a new API key; the old one is refused at once', rotateKey),
  ).requiredOption('--email <email>', 'the main account');
  addRulesCommands(account, setExitCode);
  addAccountReadCommands(account, setExitCode);
}

const label = (account: Account) => `account ${account.id} <${account.email}>`;
const eur = (micros: bigint) => `${formatMicros(micros)} EUR`;

function audit(options: AuditOptions): operator.AuditFields {
  return { operator: options.operator, reason: options.reason };
}

function create(options: CreateOptions): Promise<number> {
  return withStore(options, async (store, output) => {
    const input = { ...audit(options), email: options.email, credit: options.credit };
    const result = await operator.createMainAccount(store, input);
    if (!result.ok) return refuse(output, result.code);
    const { account, apiKey } = result.value;
    output.result(
      { accountId: account.id, email: account.email, apiKey, credit: money(account.balanceMicros) },
      [
        `created main ${label(account)} with ${eur(account.balanceMicros)}`,
        `API key (shown only now, store it safely): ${apiKey}`,
      ],
    );
    return 0;
  });
}

function printMove(output: Output, verb: string, moved: operator.MovedCredit): number {
  const { account, transfer, balanceMicros, topup } = moved;
  const json = { accountId: account.id, credit: money(balanceMicros), transferId: transfer.id };
  output.result(topup === null ? json : { ...json, topupTransferId: topup.id }, [
    ...(topup === null
      ? []
      : [`automatic top-up of ${eur(topup.amountMicros)} first (transfer ${topup.id})`]),
    `${verb} ${eur(transfer.amountMicros)} on ${label(account)}: balance ${eur(balanceMicros)}`,
    `transfer ${transfer.id}`,
  ]);
  return 0;
}

function topUp(options: CreditOptions): Promise<number> {
  return withStore(options, async (store, output) => {
    const input = { ...audit(options), credit: options.credit };
    const result = await operator.topUp(store, options.email, input);
    return result.ok ? printMove(output, 'added', result.value) : refuse(output, result.code);
  });
}

async function charge(options: ChargeOptions): Promise<number> {
  const ref = chargeTarget(options);
  if (ref === null) {
    return usageError(processOutput(options.json === true), 'account charge needs --email or --account-id');
  }
  return withStore(options, async (store, output) => {
    const result = await operator.charge(store, ref, { ...audit(options), credit: options.credit });
    return result.ok ? printMove(output, 'charged', result.value) : refuse(output, result.code);
  });
}

function chargeTarget(options: ChargeOptions): operator.AccountRef | null {
  if (options.email !== undefined) return { email: options.email };
  if (options.accountId !== undefined) return { accountId: options.accountId };
  return null;
}

function setStatus(options: ActionOptions, status: 'active' | 'suspended'): Promise<number> {
  return withStore(options, async (store, output) => {
    const result = await operator.setAccountStatus(store, options.email, status, audit(options));
    if (!result.ok) return refuse(output, result.code);
    const account = result.value;
    output.result({ accountId: account.id, status: account.status }, [
      `${label(account)} is ${account.status}`,
    ]);
    return 0;
  });
}

function rotateKey(options: ActionOptions): Promise<number> {
  return withStore(options, async (store, output) => {
    const result = await operator.rotateKey(store, options.email, audit(options));
    if (!result.ok) return refuse(output, result.code);
    const { account, apiKey } = result.value;
    output.result({ accountId: account.id, apiKey }, [
      `new API key for ${label(account)}; the previous key is refused from now on`,
      `API key (shown only now, store it safely): ${apiKey}`,
    ]);
    return 0;
  });
}
