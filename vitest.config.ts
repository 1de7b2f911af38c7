import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * Tests at three speeds (docs/development.md, "Tests"):
 * - unit: `*.unit.test.ts`, pure code; no PostgreSQL, Redis or child process (`npm run test:unit`).
 * - system: what needs more than the two services: several processes behind nginx, Chromium,
 *   kubectl, `npm pack`, the production build, pg_dump, a Redis or PostgreSQL of the test's own.
 * - integration: everything else, against real PostgreSQL and Redis.
 * `npm test` runs all three.
 */
const UNIT = ['src/**/*.unit.test.ts', 'test/**/*.unit.test.ts'];
const SYSTEM = [
  'test/system/**/*.test.ts',
  '**/*.browser.test.ts',
  'test/cluster.test.ts',
  'test/k8s-manifests.test.ts',
  'test/sdk-package.test.ts',
  'test/process.test.ts',
  'test/production.test.ts',
  'test/backup.test.ts',
  'test/redis-faults.test.ts',
  'test/postgres-faults.test.ts',
  // The image assembled from the Dockerfile and run as nobody; key rotation and first starts run
  // the entry points (tsx) as child processes.
  'test/image.test.ts',
  'test/key-rotation.test.ts',
  'src/platform/migrate.test.ts',
];

export default defineConfig({
  resolve: {
    // graphql ships CommonJS and ESM builds; Node (and so every dependency) loads the CommonJS
    // one, so the tests must too, or two copies of graphql meet in one schema.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    setupFiles: ['test/setup-env.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...UNIT, ...SYSTEM, '**/node_modules/**'],
          // Each file gets its own database (cloned from the migrated template) and Redis key
          // space, so files run in parallel safely.
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'system',
          include: SYSTEM,
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
