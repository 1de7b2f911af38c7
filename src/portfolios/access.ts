/**
 * The portfolio-access service: the one place that answers "what role does this viewer have on
 * these portfolios". The Pothos `portfolioRole` scope (./roles.ts, per request through a
 * dataloader), the live valuation stream's re-checks, share changes (under a row lock), the
 * alert evaluator and the REST facade (through the GraphQL scope) all ask it. The rule itself,
 * owner, then share, then public, is `roleFromAccess` in ./roles.ts.
 */
import type { Permission } from '../generated/prisma/enums.js';
import type { Db, Prisma } from '../platform/db.js';
import { isUuid } from '../platform/ids.js';
import { roleFromAccess, type PortfolioRole } from './roles.js';

/** One viewer and one portfolio. */
export interface AccessPair {
  userId: string;
  portfolioId: string;
}

interface AccessRow {
  user_id: string;
  portfolio_id: string;
  owner_id: string;
  is_public: boolean;
  permission: Permission | null;
}

export class PortfolioAccess {
  constructor(private readonly db: Db) {}

  /** `userId`'s role on each portfolio (null: none, or no such portfolio), in one statement. */
  async rolesOf(userId: string, portfolioIds: readonly string[]): Promise<Map<string, PortfolioRole | null>> {
    const roles = await this.rolesOfPairs(portfolioIds.map((portfolioId) => ({ userId, portfolioId })));
    return new Map(portfolioIds.map((id, i) => [id, roles[i] ?? null]));
  }

  /** `userId`'s role on one portfolio (null: none, or no such portfolio). */
  async roleOf(userId: string, portfolioId: string): Promise<PortfolioRole | null> {
    return (await this.rolesOf(userId, [portfolioId])).get(portfolioId) ?? null;
  }

  /**
   * The role of each (viewer, portfolio) pair, in the order given, in one statement however many
   * (the alert evaluator asks for every alert's owner at once). Ids that are not UUIDs have none.
   */
  async rolesOfPairs(pairs: readonly AccessPair[]): Promise<Array<PortfolioRole | null>> {
    const wanted = pairs.filter((p) => isUuid(p.userId) && isUuid(p.portfolioId));
    if (wanted.length === 0) return pairs.map(() => null);
    const rows = await this.db.$queryRaw<AccessRow[]>`
      SELECT q.user_id::text AS user_id, p.id::text AS portfolio_id, p.owner_id::text AS owner_id, p.is_public,
             s.permission::text AS permission
      FROM unnest(${wanted.map((p) => p.userId)}::uuid[], ${wanted.map((p) => p.portfolioId)}::uuid[]) AS q(user_id, portfolio_id)
      JOIN portfolios p ON p.id = q.portfolio_id
      LEFT JOIN portfolio_shares s ON s.portfolio_id = p.id AND s.user_id = q.user_id`;
    const byPair = new Map(rows.map((row) => [`${row.user_id}|${row.portfolio_id}`, roleFromAccess(row.user_id, row)]));
    return pairs.map((p) => byPair.get(`${p.userId}|${p.portfolioId}`) ?? null);
  }

  /**
   * Inside a transaction: locks the portfolio row for a change of its shares and returns the
   * caller's role as it stands now (null: none, or no such portfolio). Every share change takes
   * this lock first.
   */
  static async lockedRoleOf(tx: Prisma.TransactionClient, userId: string, portfolioId: string): Promise<PortfolioRole | null> {
    if (!isUuid(portfolioId)) return null;
    const [row] = await tx.$queryRaw<Array<Pick<AccessRow, 'owner_id' | 'is_public' | 'permission'>>>`
      SELECT p.owner_id::text AS owner_id, p.is_public, s.permission::text AS permission
      FROM portfolios p
      LEFT JOIN portfolio_shares s ON s.portfolio_id = p.id AND s.user_id = ${userId}::uuid
      WHERE p.id = ${portfolioId}::uuid
      FOR NO KEY UPDATE OF p`;
    return row ? roleFromAccess(userId, row) : null;
  }
}
