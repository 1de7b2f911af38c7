/** Enums shared by several domains, named as in the API contract. */
import { ALLOCATION_DIMENSIONS } from '../market/valuation.js';
import { builder } from './builder.js';

export const AssetTypeEnum = builder.enumType('AssetType', {
  values: ['STOCK', 'ETF', 'BOND', 'CRYPTO', 'FUND', 'CASH', 'COMMODITY', 'REAL_ESTATE', 'OTHER'] as const,
});

export const PermissionEnum = builder.enumType('Permission', {
  values: ['VIEW', 'EDIT', 'ADMIN'] as const,
});

/** How Portfolio.allocation splits a portfolio (and rebalance targets name their keys). */
export const AllocationDimensionEnum = builder.enumType('AllocationDimension', {
  values: ALLOCATION_DIMENSIONS,
});

builder.queryField('version', (t) =>
  t.string({
    description: 'The API server version.',
    resolve: (_root, _args, ctx) => ctx.services.version,
  }),
);
