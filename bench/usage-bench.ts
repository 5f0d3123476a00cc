import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { formatMicros } from '../src/domain/money.js';
import { percentile } from './load.js';
import { freePort, startServer } from './server-process.js';
import { openBenchStore, seedTirelire, type TirelireDatabase } from './tirelire-seed.js';

/**
 * Target u of `npm run bench`: the operator's usage debits against one SQLite
 * server, in rounds that alternate three kinds side by side — a plain charge,
 * a charge of a subaccount with rules (low balance, automatic top-up, a
 * spending cap: the usage counter is written with every debit), and a hold
 * placed then captured whole (two requests). Each kind gets the same
 * connections and the same time, in every round, so the ratios hold on a
 * noisy machine: what a hold's place + capture and a charge under rules cost
 * against a plain charge.
 */

export interface UsageKindResult {
  readonly kind: UsageKind;
  /** Debits completed per second: a charge, or a hold placed and captured. */
  readonly perSecond: number;
  readonly completed: number;
  readonly failed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface UsageBenchResult {
  readonly kinds: readonly UsageKindResult[];
  /** What a hold placed and captured costs in a plain charge's time: charge rate / hold rate. */
  readonly holdOverCharge: number;
  readonly rulesOverCharge: number;
  readonly balanceCheck: 'PASS' | 'FAIL';
  readonly detail: string;
}

type UsageKind = 'charge' | 'charge with rules' | 'hold + capture';
const KINDS: readonly UsageKind[] = ['charge', 'charge with rules', 'hold + capture'];

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const SUBACCOUNTS = 100;
const AMOUNT = '0.01';
const AMOUNT_MICROS = 10_000n;
const OPENING_MICROS = 100_000_000n * 1_000_000n;
const SUBACCOUNT_CREDIT = '100000';
const ROUNDS = 2;

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A keep-alive JSON POST client: the same for every kind, so its cost cancels out in the ratios. */
function poster(baseUrl: string, connections: number) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const post = (path: string, payload: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(payload);
      const req = httpRequest(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${ADMIN_TOKEN}`,
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

type Post = ReturnType<typeof poster>['post'];

const HOLD_ID = /"id"\s*:\s*"(hold_[^"]+)"/;

/** One debit of `kind` on subaccount `token`; true when acknowledged. */
async function debit(post: Post, mainId: number, kind: UsageKind, token: string): Promise<boolean> {
  if (kind !== 'hold + capture') {
    const answer = await post(`/admin/v1/accounts/${mainId}/charge`, {
      credit: AMOUNT,
      tokenSubaccount: token,
    });
    return answer.status === 200;
  }
  const placed = await post(`/admin/v1/accounts/${mainId}/holds`, { credit: AMOUNT, tokenSubaccount: token });
  const holdId = placed.status === 200 ? HOLD_ID.exec(placed.body)?.[1] : undefined;
  if (holdId === undefined) return false;
  const captured = await post(`/admin/v1/holds/${holdId}/capture`, {});
  return captured.status === 200;
}

interface Tally {
  completed: number;
  failed: number;
  elapsedMs: number;
  readonly latencies: number[];
}

async function runKind(
  post: Post,
  mainId: number,
  kind: UsageKind,
  tokens: readonly string[],
  connections: number,
  seconds: number,
  tally: Tally,
): Promise<void> {
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const token = tokens[next % tokens.length]!;
      next += 1;
      const sent = performance.now();
      if (await debit(post, mainId, kind, token)) tally.completed += 1;
      else tally.failed += 1;
      tally.latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  tally.elapsedMs += performance.now() - startedAt;
}

/** Seeds, starts `node dist/main.js` on a SQLite file, alternates the three kinds, checks the ledger. */
export async function measureUsage(options: {
  readonly mainJs: string;
  readonly scratch: string;
  readonly seconds: number;
  readonly connections: number;
  readonly env: NodeJS.ProcessEnv;
}): Promise<UsageBenchResult> {
  const database: TirelireDatabase = { engine: 'sqlite', path: join(options.scratch, 'tirelire-u.db') };
  const seed = await seedTirelire(database, SUBACCOUNTS, OPENING_MICROS);
  const server = await startServer({
    name: 'Tirelire usage debits',
    args: [options.mainJs],
    env: { ...options.env, DATABASE_URL: database.path, TIRELIRE_ADMIN_TOKEN: ADMIN_TOKEN },
    port: await freePort(),
    logFile: join(options.scratch, 'server-u.log'),
  });
  const client = poster(server.url, options.connections);
  const plain = seed.tokens.slice(0, SUBACCOUNTS / 2);
  const ruled = seed.tokens.slice(SUBACCOUNTS / 2);
  const tallies = new Map<UsageKind, Tally>(
    KINDS.map((kind) => [kind, { completed: 0, failed: 0, elapsedMs: 0, latencies: [] }]),
  );
  let stopped = false;
  try {
    for (const token of seed.tokens) {
      const given = await client.post('/v1/subaccount/credit/add', {
        apiKey: seed.apiKey,
        tokenSubaccount: token,
        credit: SUBACCOUNT_CREDIT,
      });
      if (given.status !== 200) throw new Error(`crediting a subaccount answered ${given.status}`);
    }
    // Rules that are evaluated on every debit and never refuse one here: the cap is far away,
    // the top-up's threshold below what the subaccounts hold, and every debit counts usage.
    for (const token of ruled) {
      const set = await client.post('/v1/subaccount/rules', {
        apiKey: seed.apiKey,
        tokenSubaccount: token,
        lowBalance: '10',
        autoTopup: { below: '5', to: '20' },
        spendingCap: { amount: '1000000', period: 'day' },
      });
      if (set.status !== 200) throw new Error(`setting rules answered ${set.status}: ${set.body}`);
    }
    const slice = options.seconds / ROUNDS / KINDS.length;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const kind of KINDS) {
        const tokens = kind === 'charge with rules' ? ruled : plain;
        await runKind(
          client.post,
          seed.mainAccountId,
          kind,
          tokens,
          options.connections,
          slice,
          tallies.get(kind)!,
        );
      }
    }
    client.close();
    await server.stop();
    stopped = true;
    const kinds = KINDS.map((kind) => summarize(kind, tallies.get(kind)!));
    const debits = kinds.reduce((sum, k) => sum + k.completed, 0);
    const check = await inspectTree(
      database,
      seed.mainAccountId,
      seed.subaccountIds,
      BigInt(debits) * AMOUNT_MICROS,
    );
    const rate = (kind: UsageKind) => kinds.find((k) => k.kind === kind)!.perSecond;
    return {
      kinds,
      holdOverCharge: rate('charge') / rate('hold + capture'),
      rulesOverCharge: rate('charge') / rate('charge with rules'),
      ...check,
    };
  } finally {
    client.close();
    if (!stopped) await server.stop();
  }
}

function summarize(kind: UsageKind, tally: Tally): UsageKindResult {
  const sorted = [...tally.latencies].sort((a, b) => a - b);
  return {
    kind,
    perSecond: tally.completed / (tally.elapsedMs / 1000),
    completed: tally.completed,
    failed: tally.failed,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

/** The tree holds the opening less every acknowledged debit, and verify is clean. */
async function inspectTree(
  database: TirelireDatabase,
  mainAccountId: number,
  subaccountIds: readonly number[],
  debitedMicros: bigint,
): Promise<{ balanceCheck: 'PASS' | 'FAIL'; detail: string }> {
  const store = await openBenchStore(database);
  try {
    let total = 0n;
    for (const id of [mainAccountId, ...subaccountIds])
      total += (await store.getAccount(id))?.balanceMicros ?? 0n;
    const report = await store.verify();
    const expected = OPENING_MICROS - debitedMicros;
    const pass = total === expected && report.ok;
    const detail =
      `tree holds ${formatMicros(total)} EUR, opening less the acknowledged debits ${formatMicros(expected)} EUR; ` +
      (report.ok ? 'verify ok' : `verify found ${report.problems.length} problem(s)`);
    return { balanceCheck: pass ? 'PASS' : 'FAIL', detail };
  } finally {
    await store.close();
  }
}
