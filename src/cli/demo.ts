import { randomBytes } from 'node:crypto';

import type { SubaccountType } from '../domain/accounts.js';
import { formatMicros, parseAmount } from '../domain/money.js';
import type { Store } from '../domain/store.js';
import { newTransferId } from '../app/ids.js';
import { generateApiKey, generateSubaccountToken, hashApiKey } from '../app/keys.js';
import * as operator from '../app/operator.js';
import { seedThroughApi, serverAnswers, serverKnowsKey } from './demo-remote.js';
import { cliConfig, withStore, type AuditOptions, type CommonOptions } from './options.js';
import { describeCode, money, processOutput, type Output } from './output.js';

export interface DemoOptions extends CommonOptions, AuditOptions {
  readonly url?: string;
  readonly adminToken?: string;
}

export interface SeededSubaccount {
  readonly type: SubaccountType;
  readonly email: string;
  readonly token: string;
  /** Only advanced subaccounts have a key of their own. */
  readonly apiKey: string | null;
}

/** What the demo made, the same whether it went through a server or into the database. */
export interface DemoSeed {
  readonly main: {
    readonly accountId: number;
    readonly email: string;
    readonly apiKey: string;
    readonly balanceMicros: bigint;
  };
  readonly subaccounts: readonly (SeededSubaccount & {
    readonly accountId: number | null;
    readonly balanceMicros: bigint;
  })[];
}

/** The main account's opening credit, of which SUBACCOUNT_CREDIT goes on to the advanced subaccount. */
const OPENING_CREDIT = '1000';
const SUBACCOUNT_CREDIT = '100';

/**
 * Seeds a main account given 1000 EUR and two subaccounts (one simple and
 * empty, one advanced given 100 EUR of it), then prints a curl line that
 * works as printed. When a Tirelire server answers at --url (by default the
 * local one, from HOST and PORT), the demo seeds through its operator API
 * with the operator token, so the server serves what was seeded; without a
 * token it seeds the database and checks that the server knows the new key.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const baseUrl = options.url ?? defaultBaseUrl();
  const suffix = randomBytes(4).toString('hex');
  const token = options.adminToken ?? cliConfig().adminToken;
  const running = await serverAnswers(baseUrl);
  if (running && token !== undefined && token !== '') {
    const output = processOutput(options.json === true);
    output.database(`the server's, through ${baseUrl}`);
    try {
      const seed = await seedThroughApi(baseUrl, token, { suffix, operator: options.operator });
      return printSeed(output, seed, baseUrl, true);
    } catch (error) {
      output.error(error instanceof Error ? error.message : String(error));
      return 1;
    }
  }
  return withStore(options, async (store, output) => {
    const seed = await seedStore(store, suffix, options.operator);
    if (running && !(await serverKnowsKey(baseUrl, seed.main.apiKey))) {
      output.error(
        `demo: the server at ${baseUrl} does not serve this database (its curl would answer code 10): ` +
          'give its operator token (--admin-token or TIRELIRE_ADMIN_TOKEN) or its database (--db)',
      );
      return 1;
    }
    return printSeed(output, seed, baseUrl, running);
  });
}

async function seedStore(store: Store, suffix: string, operatorName: string): Promise<DemoSeed> {
  const created = await operator.createMainAccount(store, {
    email: `demo-${suffix}@example.com`,
    credit: OPENING_CREDIT,
    reason: 'tirelire demo',
    operator: operatorName,
  });
  if (!created.ok) throw new Error(`demo: ${describeCode(created.code)}`);
  const { account: main, apiKey } = created.value;
  const keyHash = hashApiKey(apiKey);
  const simple = await seedSubaccount(store, keyHash, 'simple', `demo-${suffix}-client1@example.com`, null);
  const advanced = await seedSubaccount(
    store,
    keyHash,
    'advanced',
    `demo-${suffix}-client2@example.com`,
    SUBACCOUNT_CREDIT,
  );
  // Re-read: the advanced subaccount's opening credit came out of the main account.
  const mainNow = (await store.getAccount(main.id)) ?? main;
  return {
    main: { accountId: main.id, email: main.email, apiKey, balanceMicros: mainNow.balanceMicros },
    subaccounts: [simple, advanced],
  };
}

async function seedSubaccount(
  store: Store,
  keyHash: string,
  type: SubaccountType,
  email: string,
  credit: string | null,
): Promise<DemoSeed['subaccounts'][number]> {
  const apiKey = type === 'advanced' ? generateApiKey() : null;
  const token = generateSubaccountToken();
  const outcome = await store.createSubaccount({
    keyHash,
    type,
    email,
    profile: {},
    token,
    subaccountKeyHash: apiKey === null ? null : hashApiKey(apiKey),
    creditToAttribute: credit === null ? null : parseAmount(credit),
    transferId: newTransferId(),
    createdAt: new Date(),
  });
  // The main account was created a moment ago with enough credit: a refusal here is a bug.
  if (!outcome.ok) throw new Error(`demo subaccount refused with code ${outcome.code}`);
  const { account } = outcome;
  return { type, email, token, apiKey, accountId: account.id, balanceMicros: account.balanceMicros };
}

function printSeed(output: Output, seed: DemoSeed, baseUrl: string, serverRuns: boolean): number {
  const { main, subaccounts } = seed;
  const curl = curlLine(baseUrl, main.apiKey, subaccounts[0]?.token ?? '');
  output.result(
    {
      mainAccount: {
        accountId: main.accountId,
        email: main.email,
        apiKey: main.apiKey,
        credit: money(main.balanceMicros),
      },
      subaccounts: subaccounts.map((sub) => ({
        accountId: sub.accountId,
        email: sub.email,
        type: sub.type,
        token: sub.token,
        apiKey: sub.apiKey,
        credit: money(sub.balanceMicros),
      })),
      curl,
    },
    [
      `main account ${main.accountId} <${main.email}>: given ${OPENING_CREDIT} EUR, ` +
        `${formatMicros(main.balanceMicros)} EUR left after ${SUBACCOUNT_CREDIT} EUR to its advanced subaccount`,
      `  apiKey: ${main.apiKey}`,
      ...subaccounts.flatMap(subaccountLines),
      serverRuns
        ? `The server at ${baseUrl} serves these accounts; move 10 EUR to the first subaccount:`
        : 'Start the server on this database (`npm start`, or `tirelire serve --db …`), then move 10 EUR to the first subaccount:',
      curl,
    ],
  );
  return 0;
}

function subaccountLines(sub: DemoSeed['subaccounts'][number]): string[] {
  const lines = [
    `${sub.type} subaccount${sub.accountId === null ? '' : ` ${sub.accountId}`} <${sub.email}>: ${formatMicros(sub.balanceMicros)} EUR`,
    `  tokenSubaccount: ${sub.token}`,
  ];
  return sub.apiKey === null ? lines : [...lines, `  apiKey: ${sub.apiKey}`];
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
