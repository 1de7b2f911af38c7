/**
 * Investment has no type-level scope (./investment.schema.ts says why): every field that hands out
 * investments authorizes their portfolio itself. This guard lists those fields; a new field that
 * returns an Investment (or its connection or edge), an interface or union that includes it, or an
 * Investment field that stops being plain fails here until its check is decided and listed.
 */
import { getNamedType, isInterfaceType, isObjectType, isUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../schema.js';

const INVESTMENT_TYPES = new Set(['Investment', 'InvestmentEdge', 'InvestmentConnection']);

/** Each field returning an investment type, and what authorizes it. */
const AUTHORIZED_PATHS: Record<string, string> = {
  'Portfolio.investments': "Portfolio's type scope (PUBLIC on the portfolio); its pages hold that portfolio's investments only",
  'InvestmentConnection.edges': 'reached through Portfolio.investments',
  'InvestmentEdge.node': 'reached through Portfolio.investments',
  'Mutation.addInvestment': 'EDIT on the portfolio',
  'Mutation.updateInvestment': "EDIT on the investment's portfolio",
};

describe('fields that hand out investments', () => {
  it('are only the listed ones, each authorizing the portfolio', () => {
    const found: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (INVESTMENT_TYPES.has(getNamedType(field.type).name)) found.push(`${type.name}.${field.name}`);
      }
    }
    expect(found.sort()).toEqual(Object.keys(AUTHORIZED_PATHS).sort());
  });

  it('reach Investment through no interface or union', () => {
    const investment = schema.getType('Investment');
    expect(isObjectType(investment) && investment.getInterfaces()).toEqual([]);
    for (const type of Object.values(schema.getTypeMap())) {
      if (isUnionType(type)) expect(type.getTypes().map((t) => t.name)).not.toContain('Investment');
    }
  });
});
