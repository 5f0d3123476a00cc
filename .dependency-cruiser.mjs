/**
 * dependency-cruiser checks what ESLint's import rules cannot: a circle of imports
 * inside src/domain, type-only imports included (a circle of types is still a circle;
 * eslint-plugin-import-x's no-cycle skips them). `npm run check` runs it; the
 * boundaries between folders are ESLint's (eslint.config.js).
 * @type {import('dependency-cruiser').IConfiguration}
 */
export default {
  forbidden: [
    {
      name: 'no-domain-cycle',
      severity: 'error',
      comment: 'The arrows inside src/domain point one way (docs/architecture.md, "Boundaries").',
      from: { path: '^src/domain/' },
      to: { path: '^src/domain/', circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
