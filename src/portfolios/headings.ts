/**
 * What other domains read of portfolios themselves (names, owners, base currencies), through this
 * door: reports' headings and the reports jobs' paging (src/ledger's PortfolioValuations hands
 * them on with the holdings).
 */
import type { Db } from '../platform/db.js';

/** A portfolio as the reports jobs page through them. */
export interface PortfolioPageEntry {
  id: string;
  ownerId: string;
  name: string;
  baseCurrency: string;
  createdAt: Date;
}

/** A report's heading of a portfolio. */
export interface PortfolioHeading {
  name: string;
  baseCurrency: string;
  ownerId: string;
}

/** A portfolio's name, owner and base currency; throws Prisma's not-found error when there is none. */
export function portfolioHeading(db: Db, portfolioId: string): Promise<PortfolioHeading> {
  return db.portfolio.findUniqueOrThrow({ where: { id: portfolioId }, select: { name: true, baseCurrency: true, ownerId: true } });
}

/** The names, owners and base currencies of these portfolios, in one statement; missing ones are left out. */
export function portfolioHeadings(db: Db, portfolioIds: readonly string[]): Promise<Array<PortfolioHeading & { id: string }>> {
  return db.portfolio.findMany({
    where: { id: { in: [...portfolioIds] } },
    select: { id: true, name: true, baseCurrency: true, ownerId: true },
  });
}

/** Up to `size` portfolios after `after` in id order (keyset paging; null: from the first), in one statement. */
export function portfolioPage(db: Db, after: string | null, size: number): Promise<PortfolioPageEntry[]> {
  return db.portfolio.findMany({
    where: after ? { id: { gt: after } } : {},
    orderBy: { id: 'asc' },
    take: size,
    select: { id: true, ownerId: true, name: true, baseCurrency: true, createdAt: true },
  });
}
