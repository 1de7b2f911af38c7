/**
 * The one way a test file gets its app: `const t = useTestApp(options)` at the top of the file
 * starts it before the file's tests (beforeAll) and closes it after them (afterAll). The returned
 * TestApp forwards to the running app, so tests use it as they would use startTestApp's result.
 * (Kept apart from ./harness.ts, which benchmarks import outside vitest.)
 */
import { afterAll, beforeAll } from 'vitest';
import { startTestApp, type TestApp, type TestAppOptions } from './harness.js';

export function useTestApp(options: TestAppOptions | (() => TestAppOptions) = {}): TestApp {
  let running: TestApp | undefined;
  beforeAll(async () => {
    running = await startTestApp(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    await running?.close();
  });
  const current = (): TestApp => {
    if (!running) throw new Error('useTestApp: the app starts in beforeAll; use it inside tests and hooks');
    return running;
  };
  return {
    get app() {
      return current().app;
    },
    get config() {
      return current().config;
    },
    get database() {
      return current().database;
    },
    gql: (document, variables, requestOptions) => current().gql(document, variables, requestOptions),
    close: () => current().close(),
  };
}
