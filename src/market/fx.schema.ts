/** FX in GraphQL: Query.fxRate and the currency of a Valuation. */
import { builder } from '../graphql/builder.js';
import { Problems } from '../platform/errors.js';
import { canonicalCurrency } from '../platform/currency-units.js';
import { ValuationRef } from './schema.js';

builder.objectField(ValuationRef, 'currency', (t) =>
  t.exposeString('currency', { nullable: false, description: "The portfolio's base currency: every total is converted into it." }),
);

builder.queryField('fxRate', (t) =>
  t.field({
    type: 'Decimal',
    nullable: true,
    description:
      "Units of `to` per one unit of `from` on `date` (the last rate on or before it); today's when omitted. ISO 4217 codes or minor units (GBp, GBX, ZAc, ILA: 1/100 of GBP, ZAR, ILS); null when no rate is known for the pair.",
    authScopes: { authenticated: true },
    args: { from: t.arg.string({ required: true }), to: t.arg.string({ required: true }), date: t.arg({ type: 'Date' }) },
    resolve: async (_root, { from, to, date }, ctx) => {
      const problems = new Problems();
      const codes = { from: canonicalCurrency(from), to: canonicalCurrency(to) };
      for (const field of ['from', 'to'] as const) {
        if (!codes[field])
          problems.add(field, `"${field === 'from' ? from : to}" is neither an active ISO 4217 code nor a minor unit (GBp, GBX, ZAc, ILA)`);
      }
      problems.throwIfAny();
      return (await ctx.services.fx.rate(codes.from!, codes.to!, date))?.rate ?? null;
    },
  }),
);
