import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { hashApiKey } from '../../src/app/keys.js';
import {
  assertBuilt,
  jsonOf,
  ROOT,
  tempDatabase,
  tirelire,
  type TempDatabase,
} from '../helpers/cli-harness.js';

let db: TempDatabase;
let server: ChildProcess | undefined;
beforeAll(assertBuilt);
beforeEach(() => {
  db = tempDatabase();
});
afterEach(() => {
  server?.kill('SIGKILL');
  server = undefined;
  db.remove();
});

interface DemoJson {
  mainAccount: { accountId: number; apiKey: string };
  subaccounts: { accountId: number; token: string; type: string; apiKey: string | null }[];
  curl: string;
}

/** Starts `tirelire serve` on a free port and resolves with its URL once it logs that it listens. */
function serve(env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, ['bin/tirelire.js', 'serve', '--port', '0', '--db', db.path], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', TIRELIRE_ADMIN_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server = child;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const url = /"url":"([^"]+)"/.exec(line)?.[1];
      if (url !== undefined) resolve(url);
    });
  });
}

describe('tirelire demo', () => {
  it('seeds a main account and two subaccounts whose keys and tokens work', async () => {
    const result = tirelire(['demo', '--json', '--db', db.path], { HOST: '', PORT: '' });
    expect(result.status).toBe(0);
    const demo = jsonOf(result) as unknown as DemoJson;
    const [simple, advanced] = demo.subaccounts;
    expect(demo.curl).toContain(`"apiKey":"${demo.mainAccount.apiKey}"`);
    expect(demo.curl).toContain(`"tokenSubaccount":"${simple!.token}"`);
    expect(demo.curl).toContain("'http://127.0.0.1:8080/v1/subaccount/credit/add'");
    expect(result.stdout).toContain('"credit":900},');
    await db.withStore(async (store) => {
      expect((await store.authenticate(hashApiKey(demo.mainAccount.apiKey)))?.balanceMicros).toBe(
        900_000_000n,
      );
      expect((await store.authenticate(hashApiKey(advanced!.apiKey!)))?.kind).toBe('sub');
      const page = await store.listSubaccounts(demo.mainAccount.accountId, 1, 20);
      expect(page.items.map((sub) => sub.token).sort()).toEqual([simple!.token, advanced!.token].sort());
      expect((await store.verify()).ok).toBe(true);
    });
  });

  it('prints a curl line that works as printed against the running server', async () => {
    const url = await serve();
    const port = new URL(url).port;
    const human = tirelire(['demo', '--db', db.path], { HOST: '127.0.0.1', PORT: port });
    expect(human.status).toBe(0);
    const curl = human.stdout.split('\n').find((line) => line.startsWith('curl '));
    expect(curl).toBeDefined();
    const answer = spawnSync('sh', ['-c', curl!], { encoding: 'utf8' });
    expect(answer.status).toBe(0);
    expect(JSON.parse(answer.stdout)).toMatchObject({
      success: true,
      code: 200,
      credit: 890,
      subaccountCredit: 10,
      currency: 'EUR',
    });
  });

  it('seeds through a running server with the operator token, whatever --db says, and never says to start it', async () => {
    const url = await serve({ TIRELIRE_ADMIN_TOKEN: 'demo-operator-token' });
    const elsewhere = tempDatabase({ create: false });
    try {
      const result = tirelire(['demo', '--json', '--url', url, '--db', elsewhere.path], {
        TIRELIRE_ADMIN_TOKEN: 'demo-operator-token',
      });
      expect(result.status, result.stderr).toBe(0);
      expect(result.database).toBe(`{"database":"the server's, through ${url}"}`);
      expect(result.stdout).toContain('"credit":900},');
      const demo = jsonOf(result) as unknown as DemoJson;
      await db.withStore(async (store) => {
        expect((await store.authenticate(hashApiKey(demo.mainAccount.apiKey)))?.balanceMicros).toBe(
          900_000_000n,
        );
        expect((await store.verify()).ok).toBe(true);
      });
      const human = tirelire(['demo', '--url', url, '--admin-token', 'demo-operator-token']);
      expect(human.status, human.stderr).toBe(0);
      expect(human.stdout).toMatch(
        /: given 1000 EUR, 900 EUR left after 100 EUR to its advanced subaccount\n/,
      );
      expect(human.stdout).toContain(`The server at ${url} serves these accounts`);
      expect(human.stdout).not.toMatch(/start the server/i);
    } finally {
      elsewhere.remove();
    }
  });

  it('without a token, refuses to seed a database the running server does not serve', async () => {
    const url = await serve();
    const other = tempDatabase();
    try {
      const result = tirelire(['demo', '--url', url, '--db', other.path]);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        `tirelire: demo: the server at ${url} does not serve this database (its curl would answer code 10): ` +
          'give its operator token (--admin-token or TIRELIRE_ADMIN_TOKEN) or its database (--db)\n',
      );
    } finally {
      other.remove();
    }
  });

  it('with no server answering, seeds the database and says to start the server on it', () => {
    const result = tirelire(['demo', '--db', db.path, '--url', 'http://127.0.0.1:1']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Start the server on this database');
  });
});
