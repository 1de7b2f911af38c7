/**
 * The per-account storage cap (MAX_TRANSACTIONS_PER_ACCOUNT, issue 21): one account's portfolios
 * hold at most that many transactions, so a script cannot fill the database through imports.
 * Counted over every portfolio of the written portfolio's owner (storage is the owner's, whoever
 * writes), inside the write's transaction, after its ledger lock: two portfolios of one owner
 * written at the same instant may each pass by a few rows, which a storage bound tolerates.
 */
import { badInput } from '../platform/errors.js';
import type { Prisma } from '../platform/db.js';

export async function assertStorageRoom(tx: Prisma.TransactionClient, portfolioId: string, adding: number, limit: number): Promise<void> {
  if (limit <= 0 || adding <= 0) return;
  const [row] = await tx.$queryRaw<{ held: bigint }[]>`
    SELECT count(*) AS held FROM transactions t JOIN portfolios p ON p.id = t.portfolio_id
    WHERE p.owner_id = (SELECT owner_id FROM portfolios WHERE id = ${portfolioId}::uuid)`;
  const held = Number(row?.held ?? 0);
  if (held + adding > limit) {
    throw badInput([
      {
        field: 'input',
        message: `this account's portfolios hold ${held} transactions and may hold at most ${limit}; adding ${adding} would pass that: delete some first`,
      },
    ]);
  }
}
