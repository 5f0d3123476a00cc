import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Each boundary of docs/architecture.md ("Boundaries") as lint sees it: a file
 * placed in a folder imports something, and the rule that should refuse it does
 * (or, for the allowed rows, nothing fires). The imported files are real ones,
 * checked to exist: an import that does not resolve is one the path rule cannot
 * judge, so a moved file must break this test rather than silence a row.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

const PATHS = 'import-x/no-restricted-paths';
const IMPORTS = 'no-restricted-imports';

interface Row {
  readonly file: string;
  readonly code: string;
  /** The rule that must fire, or null when the import is allowed. */
  readonly fires: string | null;
}

const row = (file: string, code: string, fires: string | null): Row => ({ file, code, fires });
const importOf = (specifier: string): string =>
  `import * as imported from '${specifier}';\nexport { imported };\n`;

const rows: readonly Row[] = [
  // src/domain imports nothing outside src/domain: no file of src/, no package, no node: module.
  row('src/domain/probe.ts', importOf('./money.js'), null),
  row('src/domain/answers/probe.ts', importOf('../money.js'), null),
  row('src/domain/probe.ts', importOf('../http/app.js'), PATHS),
  row('src/domain/answers/probe.ts', importOf('../../store/open-store.js'), PATHS),
  row('src/domain/probe.ts', importOf('node:crypto'), IMPORTS),
  row('src/domain/probe.ts', importOf('uuid'), IMPORTS),
  // The two stores never import each other, nor anything of src/ but the domain.
  row('src/store/sqlite/probe.ts', importOf('../../domain/money.js'), null),
  row('src/store/sqlite/probe.ts', importOf('./migrations.js'), null),
  row('src/store/sqlite/probe.ts', importOf('../postgres/pool.js'), PATHS),
  row('src/store/postgres/probe.ts', importOf('../sqlite/migrations.js'), PATHS),
  row('src/store/postgres/probe.ts', importOf('../../http/app.js'), PATHS),
  row('src/store/sqlite/probe.ts', importOf('../open-store.js'), PATHS),
  row('src/store/postgres/probe.ts', importOf('fastify'), IMPORTS),
  // open-store.ts is the one file that knows both stores; only main.ts and the CLI open it.
  row('src/store/open-store.ts', importOf('./sqlite/migrations.js'), null),
  row('src/store/open-store.ts', importOf('./postgres/pool.js'), null),
  row('src/store/open-store.ts', importOf('../http/app.js'), PATHS),
  row('src/main.ts', importOf('./store/open-store.js'), null),
  row('src/cli/probe.ts', importOf('../store/open-store.js'), null),
  row('src/cli/probe.ts', importOf('../main.js'), null),
  row('src/cli/probe.ts', importOf('../store/sqlite/migrations.js'), PATHS),
  row('src/cli/probe.ts', importOf('../http/app.js'), PATHS),
  row('src/cli/probe.ts', importOf('pg'), IMPORTS),
  // src/http never imports a store (main.ts hands it one), and no database driver.
  row('src/http/probe.ts', importOf('../domain/money.js'), null),
  row('src/http/admin/probe.ts', importOf('../app.js'), null),
  row('src/http/probe.ts', importOf('../store/open-store.js'), PATHS),
  row('src/http/admin/probe.ts', importOf('../../store/postgres/pool.js'), PATHS),
  row('src/http/probe.ts', importOf('../cli/program.js'), PATHS),
  row('src/http/probe.ts', importOf('better-sqlite3'), IMPORTS),
  row('src/main.ts', importOf('pg'), IMPORTS),
  // src/app serves the CLI and the HTTP layer, so it imports neither, nor a store.
  row('src/app/probe.ts', importOf('../domain/money.js'), null),
  row('src/app/probe.ts', importOf('../http/app.js'), PATHS),
  row('src/app/probe.ts', importOf('../store/open-store.js'), PATHS),
  row('src/app/probe.ts', importOf('../store/sqlite/migrations.js'), PATHS),
  row('src/app/probe.ts', importOf('../cli/program.js'), PATHS),
  row('src/app/probe.ts', importOf('fastify'), IMPORTS),
  // src/config.ts reads the environment and imports nothing but the domain.
  row('src/config.ts', importOf('./domain/money.js'), null),
  row('src/config.ts', importOf('./http/app.js'), PATHS),
  // The client is its own package: nothing of src/, no package, no node: module but in its webhook verifier.
  row('packages/client/src/probe.ts', importOf('./client.js'), null),
  row('packages/client/src/probe.ts', importOf('../../../src/domain/errors.js'), PATHS),
  row(
    'packages/client/src/probe.ts',
    "import type { ErrorCode } from '../../../src/domain/errors.js';\nexport type Code = ErrorCode;\n",
    PATHS,
  ),
  row('packages/client/src/probe.ts', importOf('node:fs'), IMPORTS),
  row('packages/client/src/probe.ts', importOf('lossless-json'), IMPORTS),
  row('packages/client/src/verify-webhook.ts', importOf('node:crypto'), null),
  row('packages/client/src/verify-webhook.ts', importOf('standardwebhooks'), IMPORTS),
  // The server takes the answers' shapes from the package by its name, not by a path into it.
  row('src/http/probe.ts', importOf('tirelire-client/shapes'), null),
  row('src/http/probe.ts', importOf('../../packages/client/src/shapes.js'), PATHS),
  // The console reaches the server through the client; the domain's pure functions are allowed.
  row('web/src/probe.ts', importOf('tirelire-client'), null),
  row('web/src/probe.ts', importOf('../../packages/client/src/index.js'), PATHS),
  row('web/src/probe.ts', importOf('../../src/domain/money.js'), null),
  row('web/src/probe.ts', importOf('../../src/http/app.js'), PATHS),
];

/** Where a relative import of a row lands, as TypeScript resolves `./x.js` to `./x.ts`. */
function importedFile(fixture: Row): string | null {
  const specifier = /from '([^']+)'/.exec(fixture.code)?.[1] ?? '';
  if (!specifier.startsWith('.')) return null;
  return path.resolve(root, path.dirname(fixture.file), specifier.replace(/\.js$/, '.ts'));
}

describe('architecture lint: each boundary fires', () => {
  const eslint = new ESLint({ cwd: root });

  it.each(rows.map((fixture) => [`${fixture.file}: ${fixture.code.split('\n')[0]}`, fixture] as const))(
    '%s',
    async (_name, fixture) => {
      const imported = importedFile(fixture);
      if (imported !== null) expect(existsSync(imported), `${imported} exists`).toBe(true);
      const [result] = await eslint.lintText(fixture.code, { filePath: path.join(root, fixture.file) });
      const fired = (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
      expect(fired).toEqual(fixture.fires === null ? [] : [fixture.fires]);
    },
  );
});

describe('architecture lint: no import circle inside src/domain', () => {
  let projects: string;
  beforeAll(() => {
    projects = mkdtempSync(path.join(tmpdir(), 'tirelire-cycle-'));
  });
  afterAll(() => rmSync(projects, { recursive: true, force: true }));

  /** Cruises a throwaway project of domain files with the repository's own rule set. */
  async function cycleViolations(files: Record<string, string>): Promise<string[][]> {
    const project = mkdtempSync(path.join(projects, 'p-'));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(project, name)), { recursive: true });
      writeFileSync(path.join(project, name), text);
    }
    const options = await extractDepcruiseOptions(path.join(root, '.dependency-cruiser.mjs'));
    const result = await cruise(['src/domain'], { ...options, baseDir: project });
    if (typeof result.output === 'string') throw new Error('dependency-cruiser answered text');
    return result.output.summary.violations
      .filter((violation) => violation.rule.name === 'no-domain-cycle')
      .map((violation) => [violation.from, ...(violation.cycle ?? []).map((step) => step.name)]);
  }

  it('reports a circle closed by type-only imports', async () => {
    const violations = await cycleViolations({
      'src/domain/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n",
      'src/domain/b.ts': "import type { A } from './a.js';\nexport interface B { a?: A }\n",
    });
    expect(violations).toContainEqual(['src/domain/a.ts', 'src/domain/b.ts', 'src/domain/a.ts']);
  });

  it('reports a circle through a subfolder and three files', async () => {
    const violations = await cycleViolations({
      'src/domain/a.ts': "import { b } from './answers/b.js';\nexport const a = (): number => b();\n",
      'src/domain/answers/b.ts': "import { c } from '../c.js';\nexport const b = (): number => c;\n",
      'src/domain/c.ts': "import type { a } from './a.js';\nexport const c: ReturnType<typeof a> = 1;\n",
    });
    expect(violations.length).toBeGreaterThan(0);
    expect(violations[0]).toHaveLength(4);
  });

  it('accepts arrows that point one way', async () => {
    const violations = await cycleViolations({
      'src/domain/a.ts': "import { b } from './answers/b.js';\nexport const a = (): number => b();\n",
      'src/domain/answers/b.ts': "import { c } from '../c.js';\nexport const b = (): number => c;\n",
      'src/domain/c.ts': 'export const c = 1;\n',
    });
    expect(violations).toEqual([]);
  });
});
