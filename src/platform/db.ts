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
