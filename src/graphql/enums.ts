/** Enums shared by several domains, named as in the API contract (AllocationDimension is market's). */
import { builder } from './builder.js';

export const AssetTypeEnum = builder.enumType('AssetType', {
  values: ['STOCK', 'ETF', 'BOND', 'CRYPTO', 'FUND', 'CASH', 'COMMODITY', 'REAL_ESTATE', 'OTHER'] as const,
});

export const PermissionEnum = builder.enumType('Permission', {
  values: ['VIEW', 'EDIT', 'ADMIN'] as const,
});

builder.queryField('version', (t) =>
  t.string({
    description: 'The API server version.',
    resolve: (_root, _args, ctx) => ctx.services.version,
  }),
);
