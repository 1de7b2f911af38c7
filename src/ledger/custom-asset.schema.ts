/** Custom assets in GraphQL: the Asset type, createCustomAsset and setCustomAssetPrices. */
import { builder } from '../graphql/builder.js';
import { AssetTypeEnum } from '../graphql/enums.js';
import { viewerId } from '../portfolios/index.js';

/**
 * An asset of the symbol master. Only createCustomAsset returns one, to the user who created it
 * (custom assets are private to their creator).
 */
export const AssetRef = builder.prismaObject('Asset', {
  fields: (t) => ({
    symbol: t.exposeString('symbol', { nullable: false }),
    name: t.exposeString('name', { nullable: false }),
    type: t.expose('type', { nullable: false, type: AssetTypeEnum }),
    currency: t.exposeString('currency', { nullable: false }),
    sector: t.exposeString('sector', { nullable: true }),
  }),
});

const CustomAssetInputRef = builder.inputType('CustomAssetInput', {
  fields: (t) => ({
    symbol: t.string({ required: true }),
    name: t.string({ required: true }),
    type: t.field({ type: AssetTypeEnum, required: true }),
    currency: t.string({ required: true }),
    sector: t.string(),
  }),
});

const PricePointInputRef = builder.inputType('PricePointInput', {
  fields: (t) => ({
    date: t.field({ type: 'Date', required: true }),
    close: t.field({ type: 'Decimal', required: true }),
  }),
});

builder.mutationFields((t) => ({
  createCustomAsset: t.field({
    type: AssetRef,
    nullable: false,
    description: "An asset of the caller's own (a house, a private fund) with prices the caller sets.",
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: CustomAssetInputRef, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.ledger.createCustomAsset(viewerId(ctx), input),
  }),

  setCustomAssetPrices: t.int({
    nullable: false,
    description:
      "Stores daily closes of one of the caller's custom assets (replacing those of the same dates); returns how many were stored.",
    authScopes: { authenticated: true },
    args: { symbol: t.arg.string({ required: true }), prices: t.arg({ type: [PricePointInputRef], required: true }) },
    resolve: (_root, { symbol, prices }, ctx) => ctx.services.ledger.setCustomAssetPrices(viewerId(ctx), symbol, prices),
  }),
}));
