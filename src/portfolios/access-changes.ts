/**
 * Announcing a change of who may see a portfolio: portfolios publishes an AccessChange on this
 * Redis channel after the change commits (./service.ts); every instance's live valuation streams
 * (src/ledger/live-valuation.ts) hear it and re-check their subscribers at once.
 */

/** Who may have lost (or changed) access to a portfolio: these users, or (null) anyone. */
export interface AccessChange {
  portfolioId: string;
  userIds: string[] | null;
}

/** The Redis channel on which access changes are announced to every instance. */
export function accessChangedChannel(prefix: string): string {
  return `${prefix}portfolio-access-changed`;
}
