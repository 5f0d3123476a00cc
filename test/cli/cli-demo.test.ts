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
function serve(): Promise<string> {
  const child = spawn(process.execPath, ['bin/tirelire.js', 'serve', '--port', '0', '--db', db.path], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info' },
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
});
