import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client.js';

export interface DbOptions {
  url: string;
  /** Emit Prisma query events (tests count SQL statements with them). */
  logQueries?: boolean;
  poolSize?: number;
}

export function createDb({ url, logQueries = false, poolSize = 10 }: DbOptions): Db {
  const adapter = new PrismaPg({ connectionString: url, max: poolSize });
  return new PrismaClient({
    adapter,
    log: logQueries ? [{ emit: 'event', level: 'query' }] : [],
  });
}

/**
 * The one statement counter (tests and benchmarks prove a constant number of SQL statements with
 * it): `count(run)` answers how many statements a Db created with `logQueries: true` ran while
 * `run` ran.
 */
export function statementCounter(db: Db): (run: () => Promise<unknown>) => Promise<number> {
  let statements = 0;
  (db as unknown as { $on(event: 'query', listener: () => void): void }).$on('query', () => statements++);
  return async (run) => {
    const before = statements;
    await run();
    return statements - before;
  };
}
