import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** Paths in the rules below are relative to this file, wherever eslint is run from. */
const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * What each part of src/ may import from src/ (docs/architecture.md, "Boundaries").
 * Anything of src/ not listed is refused; src/main.ts, which wires the pieces, may
 * import everything. The lint test (test/project/architecture-lint.test.ts) proves each line fires.
 */
const boundaries = [
  { part: 'src/domain', may: ['src/domain'] },
  { part: 'src/store/sqlite', may: ['src/domain', 'src/store/sqlite'] },
  { part: 'src/store/postgres', may: ['src/domain', 'src/store/postgres'] },
  { part: 'src/store/database-location.ts', may: [] },
  {
    part: 'src/store/open-store.ts',
    may: ['src/domain', 'src/store/sqlite', 'src/store/postgres', 'src/store/database-location.ts'],
  },
  { part: 'src/app', may: ['src/domain', 'src/app'] },
  { part: 'src/http', may: ['src/domain', 'src/app', 'src/http', 'src/sdk', 'src/config.ts'] },
  { part: 'src/config.ts', may: ['src/domain'] },
  {
    part: 'src/cli',
    may: [
      'src/domain',
      'src/app',
      'src/cli',
      'src/store/open-store.ts',
      'src/config.ts',
      'src/main.ts',
      // The demo seeds a running server through its operator API; history --csv is the operator's CSV.
      'src/sdk',
      'src/http/admin/csv.ts',
    ],
  },
  // Only domain *types*: a second rule below refuses the SDK's value imports of src/domain.
  { part: 'src/sdk', may: ['src/domain', 'src/sdk'] },
  { part: 'web', may: ['src/sdk', 'src/domain'] },
];

const zones = boundaries.map(({ part, may }) => ({
  target: `./${part}`,
  from: './src',
  except: may.map((allowed) => `./${path.relative('src', allowed)}`),
  message: `${part} may import only ${may.join(', ')} of src/ (docs/architecture.md, "Boundaries").`,
}));

const databaseDrivers = [
  { name: 'better-sqlite3', message: 'Only src/store names a database driver.' },
  { name: 'pg', message: 'Only src/store names a database driver.' },
];
const httpFramework = [
  {
    group: ['fastify', '@fastify/*'],
    message: 'Only src/http (and src/main.ts, which wires it) knows Fastify.',
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'web/dist/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Imports resolved to files (TypeScript's `./x.js` names `./x.ts`), so a rule
    // judges where an import lands, not how its path is spelled.
    files: ['src/**/*.ts', 'web/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: root, zones }],
    },
  },
  {
    // The domain imports nothing: no framework, no driver, no node: module.
    files: ['src/domain/**/*.ts'],
    ignores: ['src/domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'src/domain imports no node: module.' },
            { regex: '^(?!node:)[^.]', message: 'src/domain imports no package.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: httpFramework }] },
  },
  {
    files: ['src/http/**/*.ts', 'src/main.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: databaseDrivers }] },
  },
  {
    files: ['src/app/**/*.ts', 'src/cli/**/*.ts', 'src/config.ts', 'src/sdk/**/*.ts', 'web/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: databaseDrivers, patterns: httpFramework }] },
  },
  {
    // The SDK runs in browsers too and ships without server code: of src/domain it
    // takes types only (erased from its build), and no node: module.
    files: ['src/sdk/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)domain/',
              allowTypeImports: true,
              message: 'src/sdk imports only types of src/domain.',
            },
            { regex: '^node:', message: 'src/sdk runs in browsers: no node: module.' },
          ],
        },
      ],
    },
  },
);
