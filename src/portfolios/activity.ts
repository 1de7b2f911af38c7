/**
 * The audit trail: every change to a portfolio writes one activity row inside the change's own
 * transaction (so a change and its record commit or roll back together), naming who did it,
 * from where, and what changed (details: { before, after } where that applies), and gives the
 * change its place in the portfolio's change feed (sequence; ./change-feed.ts).
 */
import type { Prisma } from '../platform/db.js';
import { PORTFOLIO_CHANGES_CHANNEL } from './change-feed.js';

export const ACTIVITY_ACTIONS = [
  'PORTFOLIO_CREATED',
  'PORTFOLIO_UPDATED',
  'PORTFOLIO_IMPORTED',
  'INVESTMENT_ADDED',
  'INVESTMENT_UPDATED',
  'INVESTMENT_REMOVED',
  'PORTFOLIO_SHARED',
  'PORTFOLIO_UNSHARED',
  'TRANSACTION_RECORDED',
  'TRANSACTION_UPDATED',
  'TRANSACTION_DELETED',
  'TRANSACTIONS_IMPORTED',
  'PORTFOLIO_INVITED',
  'INVITATION_REVOKED',
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

/** Who is acting, as the request tells it. */
export interface Actor {
  userId: string;
  ip: string | null;
  userAgent: string | null;
}

/** user_agent is free text from the client: keep what is useful, not whatever was sent. */
const USER_AGENT_MAX = 512;

export async function recordActivity(
  tx: Prisma.TransactionClient,
  actor: Actor,
  portfolioId: string,
  action: ActivityAction,
  details: Prisma.InputJsonObject,
): Promise<void> {
  // The portfolio's next change sequence: the row lock orders concurrent writers, so the
  // sequences commit without gaps or duplicates (./change-feed.ts).
  const [next] = await tx.$queryRaw<Array<{ change_sequence: number }>>`
    UPDATE portfolios SET change_sequence = change_sequence + 1 WHERE id = ${portfolioId}::uuid RETURNING change_sequence`;
  const sequence = next?.change_sequence ?? null;
  if (sequence !== null) {
    // Delivered to every replica's listener when (and only if) this transaction commits.
    await tx.$executeRaw`SELECT pg_notify(${PORTFOLIO_CHANGES_CHANNEL}, ${`${portfolioId}:${sequence}`})`;
  }
  await tx.portfolioActivity.create({
    data: {
      sequence,
      portfolioId,
      userId: actor.userId,
      action,
      details,
      ipAddress: actor.ip,
      userAgent: actor.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
    },
  });
}
