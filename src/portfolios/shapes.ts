/**
 * Portfolios as plain JSON: the audit trail's before/after and the export file use the same
 * shape.
 */
import type { Portfolio } from '../generated/prisma/client.js';

export function portfolioSnapshot(p: Pick<Portfolio, 'name' | 'description' | 'isPublic' | 'baseCurrency'>) {
  return { name: p.name, description: p.description, isPublic: p.isPublic, baseCurrency: p.baseCurrency };
}
