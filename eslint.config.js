// ESLint 9 flat config: typescript-eslint's recommended rules plus the one-way import order of
// docs/architecture.md, enforced with eslint-plugin-boundaries.
//
// Why eslint-plugin-boundaries (and not import/no-restricted-paths or dependency-cruiser): it
// names each layer once as an element and states the order as "who may import whom", so the
// rules below read like the order in the architecture document; the same rule also says which
// file of a domain outsiders may import (its door, index.ts), which no-restricted-paths could
// only express as a zone per pair of folders; and it runs inside ESLint, so `npm run lint`, the
// editor and CI report a wrong import in the same place, where dependency-cruiser would be a
// second tool with its own config and CLI.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/** The layers, lowest first: each may import only the layers before it (and itself). */
export const LAYERS = [
  'platform',
  'graphql',
  'auth',
  'market',
  'portfolios',
  'ledger',
  'analytics',
  'alerts',
  'reports',
  'jobs',
  'rest',
  'app',
];
/** Layers that are domains: entered from outside only through their index.ts. */
export const DOMAINS = ['auth', 'market', 'portfolios', 'ledger', 'analytics', 'alerts', 'reports', 'jobs', 'rest'];

const layerPolicies = LAYERS.map((layer, i) => ({
  from: { element: { type: layer } },
  allow: { to: { element: { types: { anyOf: [...LAYERS.slice(0, i + 1), 'generated'] } } } },
}));

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'coverage/',
      'src/generated/',
      'schema/sdk/',
      'packages/sdk/src/',
      'packages/sdk/dist/',
      'test/fixtures/lint/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' },
    },
    rules: {
      // TypeScript checks these (and knows about types and globals ESLint does not).
      'no-undef': 'off',
      'no-redeclare': 'off',
      // tsconfig's noUnusedLocals / noUnusedParameters report unused names; `_`-prefixed ones are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: './tsconfig.json' } },
      'boundaries/include': ['src/**/*.ts'],
      // config.ts sits at src/ but belongs to platform: everyone may read the configuration.
      'boundaries/files': [
        { category: 'config', pattern: 'src/config.ts' },
        { category: 'pure-platform', pattern: 'src/platform/currency-units.ts' },
      ],
      'boundaries/elements': [
        { type: 'generated', pattern: 'src/generated' },
        // The pure analytics core: no I/O, no framework, nothing outside core/.
        { type: 'analytics-core', pattern: 'src/analytics/core' },
        // The ledger's pure engine (replay, fixed point): no I/O, no framework; platform's
        // currency units only (the one table of minor units).
        { type: 'ledger-core', pattern: 'src/ledger/core' },
        { type: 'platform', pattern: 'src/platform' },
        { type: 'graphql', pattern: 'src/graphql' },
        // rest/ is the REST facade, an entry-point layer over every domain, entered through its door too.
        ...DOMAINS.map((domain) => ({ type: domain, pattern: `src/${domain}` })),
        // Whatever else is in src/: the entry points and the composition root (main, worker,
        // app, services, seed). Listed last, so it only takes the files no folder above claims.
        { type: 'app', pattern: 'src' },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            ...layerPolicies,
            { allow: { to: { file: { categories: 'config' } } } },
            // Analytics uses its core (through core/index.ts); the core imports nothing but itself.
            { from: { element: { type: 'analytics' } }, allow: { to: { element: { type: 'analytics-core' } } } },
            {
              from: { element: { types: { anyOf: ['alerts', 'reports', 'jobs', 'rest', 'app'] } } },
              allow: { to: { element: { type: 'analytics-core' } } },
            },
            // The ledger uses its core (through core/index.ts and its inner files: they are the
            // ledger's own); the core imports nothing but itself and platform's currency units.
            { from: { element: { type: 'ledger' } }, allow: { to: { element: { type: 'ledger-core' } } } },
            { from: { element: { type: 'ledger-core' } }, allow: { to: { file: { categories: 'pure-platform' } } } },
            // A domain's door: from outside it, only its index.ts may be imported.
            {
              from: { element: { types: { anyOf: [...LAYERS, 'analytics-core', 'ledger-core'] } } },
              disallow: {
                to: { element: { types: { anyOf: [...DOMAINS, 'analytics-core'] }, fileInternalPath: '!index.ts' } },
              },
            },
            // The ledger's core from outside the ledger: through core/index.ts only.
            {
              from: { element: { types: { anyOf: LAYERS.filter((layer) => layer !== 'ledger') } } },
              disallow: { to: { element: { type: 'ledger-core' } } },
            },
            // Inside one element anything goes (the last policy that matches decides).
            { allow: { dependency: { relationship: { to: 'internal' } } } },
          ],
        },
      ],
    },
  },
  {
    // Broker file readers are pure (text in, rows out): no I/O, no framework, no database.
    files: ['src/ledger/broker-formats/**/*.ts'],
    ignores: ['src/ledger/broker-formats/**/*.test.ts', 'src/ledger/broker-formats/test-fixtures.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'fs/*', 'net', 'http', 'https', 'child_process', 'worker_threads'],
              message: 'broker readers do no I/O',
            },
            {
              group: [
                'fastify*',
                '@fastify/*',
                'mercurius*',
                'graphql*',
                '@pothos/*',
                '@prisma/*',
                'pg',
                'ioredis',
                'bullmq',
                '**/generated/**',
              ],
              message: 'broker readers use no framework or database',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests and harnesses may reach inside a domain (a unit test tests an inner file).
    files: ['src/**/*.test.ts', 'src/**/fixtures/**', 'src/**/test-fixtures.ts'],
    rules: { 'boundaries/dependencies': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
