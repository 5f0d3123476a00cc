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
  { part: 'src/store/open-store.ts', may: ['src/domain', 'src/store/sqlite', 'src/store/postgres'] },
  { part: 'src/app', may: ['src/domain', 'src/app'] },
  { part: 'src/http', may: ['src/domain', 'src/app', 'src/http', 'src/config.ts'] },
  { part: 'src/config.ts', may: ['src/domain'] },
  {
    part: 'src/cli',
    may: ['src/domain', 'src/app', 'src/cli', 'src/store/open-store.ts', 'src/config.ts', 'src/main.ts'],
  },
  { part: 'web', may: ['src/domain'] },
  // The client is a package of its own (packages/client, `tirelire-client`): no server code.
  { part: 'packages/client', may: [] },
];

const zones = [
  ...boundaries.map(({ part, may }) => ({
    target: `./${part}`,
    from: './src',
    except: may.map((allowed) => `./${path.relative('src', allowed)}`),
    message: `${part} may import only ${may.join(', ') || 'nothing'} of src/ (docs/architecture.md, "Boundaries").`,
  })),
  {
    // The server and the console use the client as its users do: by its name, built.
    target: ['./src', './web'],
    from: './packages/client/src',
    message: "Import the client as 'tirelire-client' (or 'tirelire-client/shapes'), not by a path into it.",
  },
];

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
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'web/dist/', 'data/', 'packages/*/dist/'] },
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
    files: ['src/**/*.ts', 'web/src/**/*.ts', 'packages/client/src/**/*.ts'],
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
    files: ['src/app/**/*.ts', 'src/cli/**/*.ts', 'src/config.ts', 'web/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: databaseDrivers, patterns: httpFramework }] },
  },
  {
    // The client runs in browsers too and has no dependency: no package, no node: module.
    files: ['packages/client/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'tirelire-client runs in browsers: no node: module.' },
            { regex: '^(?!node:)[^.]', message: 'tirelire-client has no dependency.' },
          ],
        },
      ],
    },
  },
  {
    // Its webhook verifier is an entry of its own, for servers: node:crypto, still no package.
    files: ['packages/client/src/verify-webhook.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!node:)[^.]', message: 'tirelire-client has no dependency.' }] },
      ],
    },
  },
);
