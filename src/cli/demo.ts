import { randomBytes } from 'node:crypto';

import type { Account, SubaccountType } from '../domain/accounts.js';
import { formatMicros, parseAmount } from '../domain/money.js';
import type { Store } from '../domain/store.js';
import { newTransferId } from '../app/ids.js';
import { generateApiKey, generateSubaccountToken, hashApiKey } from '../app/keys.js';
import * as operator from '../app/operator.js';
import { cliConfig, withStore, type AuditOptions, type CommonOptions } from './options.js';
import { describeCode, money } from './output.js';

export interface DemoOptions extends CommonOptions, AuditOptions {
  readonly url?: string;
}

interface SeededSubaccount {
  readonly account: Account;
  /** Only advanced subaccounts have a key of their own. */
  readonly apiKey: string | null;
}

/**
 * Seeds a main account holding 1000 EUR and two subaccounts (one simple and
 * empty, one advanced with 100 EUR attributed), then prints a curl line that
 * works as printed against `npm start`.
 */
export function runDemo(options: DemoOptions): Promise<number> {
  return withStore(options, async (store, output) => {
    const suffix = randomBytes(4).toString('hex');
    const created = await operator.createMainAccount(store, {
      email: `demo-${suffix}@example.com`,
      credit: '1000',
      reason: 'tirelire demo',
      operator: options.operator,
    });
    if (!created.ok) {
      output.error(`demo: ${describeCode(created.code)}`);
      return 1;
    }
    const { account: main, apiKey } = created.value;
    const keyHash = hashApiKey(apiKey);
    const simple = await seedSubaccount(store, keyHash, 'simple', `demo-${suffix}-client1@example.com`, null);
    const advanced = await seedSubaccount(
      store,
      keyHash,
      'advanced',
      `demo-${suffix}-client2@example.com`,
      '100',
    );
    // Re-read: the advanced subaccount's opening credit came out of the main account.
    const mainNow = (await store.getAccount(main.id)) ?? main;
    const curl = curlLine(options.url ?? defaultBaseUrl(), apiKey, simple.account.token ?? '');
    output.result(
      {
        mainAccount: { accountId: main.id, email: main.email, apiKey, credit: money(mainNow.balanceMicros) },
        subaccounts: [simple, advanced].map(subaccountJson),
        curl,
      },
      [
        `main account ${main.id} <${main.email}>: ${formatMicros(mainNow.balanceMicros)} EUR`,
        `  apiKey: ${apiKey}`,
        ...[simple, advanced].flatMap(subaccountLines),
        'Start the server with `npm start`, then move 10 EUR to the first subaccount:',
        curl,
      ],
    );
    return 0;
  });
}

async function seedSubaccount(
  store: Store,
  keyHash: string,
  type: SubaccountType,
  email: string,
  credit: string | null,
): Promise<SeededSubaccount> {
  const apiKey = type === 'advanced' ? generateApiKey() : null;
  const outcome = await store.createSubaccount({
    keyHash,
    type,
    email,
    profile: {},
    token: generateSubaccountToken(),
    subaccountKeyHash: apiKey === null ? null : hashApiKey(apiKey),
    creditToAttribute: credit === null ? null : parseAmount(credit),
    transferId: newTransferId(),
    createdAt: new Date(),
  });
  // The main account was created a moment ago with enough credit: a refusal here is a bug.
  if (!outcome.ok) throw new Error(`demo subaccount refused with code ${outcome.code}`);
  return { account: outcome.account, apiKey };
}

function subaccountJson({ account, apiKey }: SeededSubaccount) {
  return {
    accountId: account.id,
    email: account.email,
    type: account.type,
    token: account.token,
    apiKey,
    credit: money(account.balanceMicros),
  };
}

function subaccountLines({ account, apiKey }: SeededSubaccount): string[] {
  const lines = [
    `${account.type} subaccount ${account.id} <${account.email}>: ${formatMicros(account.balanceMicros)} EUR`,
    `  tokenSubaccount: ${account.token ?? ''}`,
  ];
  return apiKey === null ? lines : [...lines, `  apiKey: ${apiKey}`];
}

/** Where `npm start` listens, read from the same HOST and PORT variables. */
export function defaultBaseUrl(): string {
  const { host, port } = cliConfig();
  // A wildcard listen address is not something curl can connect to.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Keys are base64url and tokens hex, so single quotes protect the body in any POSIX shell. */
export function curlLine(baseUrl: string, apiKey: string, token: string): string {
  const body = JSON.stringify({ apiKey, credit: '10', tokenSubaccount: token });
  return (
    `curl -sS -X POST '${baseUrl}/v1/subaccount/credit/add' ` +
    `-H 'Content-Type: application/json' -d '${body}'`
  );
}
