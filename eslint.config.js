import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // The domain imports nothing: no framework, no driver, no node: module.
    files: ['src/domain/**/*.ts'],
    ignores: ['src/domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'src/domain imports no node: module' },
            { regex: '^[^.]', message: 'src/domain imports no package' },
            { regex: '\\.\\./(store|http|cli|service|sdk)', message: 'src/domain points inward only' },
          ],
        },
      ],
    },
  },
  {
    // Only src/store names a database; the SDK speaks HTTP and domain types.
    files: ['src/http/**/*.ts', 'src/service/**/*.ts', 'src/sdk/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(better-sqlite3|pg)$|/store/', message: 'no database outside src/store' }] },
      ],
    },
  },
);
