import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrorCodes } from 'tirelire-client';
import { ERRORS } from '../../src/domain/errors.js';

/**
 * `tirelire-client` as its users get it: packed from packages/client (as
 * built), installed alone into an empty folder, imported by plain Node.js as
 * ESM and as CommonJS, with no other package beside it.
 */
const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'tirelire-client-pack-'));
const app = join(work, 'app');
let manifest: Record<string, unknown>;
let packed: string[];

beforeAll(async () => {
  const out = join(work, 'pack');
  mkdirSync(out);
  const { stdout } = await run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--workspace', 'tirelire-client', '--pack-destination', out],
    { cwd: ROOT },
  );
  packed = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((file) => file.path);
  const [tarball] = readdirSync(out);
  await run('tar', ['-xzf', join(out, tarball!), '-C', work]);
  manifest = JSON.parse(readFileSync(join(work, 'package', 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{ "name": "integrator", "private": true }\n');
  await run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(out, tarball!)], { cwd: app });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tirelire-client', () => {
  test('has no dependency of any kind, and ships only its build', () => {
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) {
      expect(manifest[field], field).toBeUndefined();
    }
    expect(packed.filter((path) => !path.startsWith('dist/')).sort()).toEqual(['package.json']);
    for (const entry of ['index', 'verify-webhook', 'shapes-entry']) {
      expect(packed).toContain(`dist/esm/${entry}.js`);
      expect(packed).toContain(`dist/esm/${entry}.d.ts`);
      expect(packed).toContain(`dist/cjs/${entry}.js`);
      expect(packed).toContain(`dist/cjs/${entry}.d.ts`);
    }
    expect(packed).toContain('dist/cjs/package.json');
    // Installed alone, it brings nothing else along.
    expect(readdirSync(join(app, 'node_modules'), { withFileTypes: false }).sort()).toEqual([
      '.package-lock.json',
      'tirelire-client',
    ]);
  });

  const probe = `
    const out = {
      exports: Object.keys(client).sort(),
      insufficient: client.ErrorCodes.INSUFFICIENT_CREDIT,
      verify: typeof webhooks.verifyWebhook,
      answers: Object.keys(shapes.ANSWERS).length,
    };
    try { new client.TirelireClient({ baseUrl: 'credit.example.com', apiKey: 'k' }); }
    catch (error) { out.error = error.name; }
    console.log(JSON.stringify(out));`;
  const expected = {
    exports: [
      'ErrorCodes',
      'OPERATIONS',
      'TirelireAdminClient',
      'TirelireClient',
      'TirelireConfigurationError',
      'TirelireNetworkError',
      'TirelireProtocolError',
    ],
    insufficient: 8,
    verify: 'function',
    answers: expect.any(Number) as number,
    error: 'TirelireConfigurationError',
  };

  test('imports in plain Node.js ESM', async () => {
    const code = `import * as client from 'tirelire-client';
      import * as webhooks from 'tirelire-client/webhooks';
      import * as shapes from 'tirelire-client/shapes';
      ${probe}`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: app });
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  test('and through require()', async () => {
    const code = `const client = require('tirelire-client');
      const webhooks = require('tirelire-client/webhooks');
      const shapes = require('tirelire-client/shapes');
      ${probe}`;
    const { stdout } = await run(process.execPath, ['--input-type=commonjs', '-e', code], { cwd: app });
    expect(JSON.parse(stdout)).toEqual(expected);
  });
});

test("the server's tirelire/client and tirelire/client/webhooks still answer, as the package", async () => {
  const code = `import * as old from 'tirelire/client';
    import * as current from 'tirelire-client';
    import { verifyWebhook } from 'tirelire/client/webhooks';
    console.log(JSON.stringify([old.TirelireClient === current.TirelireClient, Object.keys(old).length, typeof verifyWebhook]));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT });
  expect(JSON.parse(stdout)).toEqual([true, 7, 'function']);
});

describe('ErrorCodes', () => {
  test("name every code of the server's table, and nothing else", () => {
    const named = Object.values(ErrorCodes).sort((a, b) => a - b);
    expect(named).toEqual(Object.keys(ERRORS).map(Number));
    expect(new Set(named).size).toBe(named.length);
  });
});
