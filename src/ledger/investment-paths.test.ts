/**
 * Investment has no type-level scope (./investment.schema.ts says why): every field that hands out
 * investments authorizes their portfolio itself. This guard lists those fields; a new field that
 * returns an Investment (or its connection or edge), an interface or union that includes it, or an
 * Investment field that stops being plain fails here until its check is decided and listed.
 * Pages read only the columns their fields need (investment-reads.ts, FIELD_COLUMNS): every
 * field must be listed there, and answer through a page exactly as through the Prisma record.
 */
import { getNamedType, isInterfaceType, isObjectType, isUnionType, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { addInvestment, createPortfolio, ok, seedMarketAssets } from '../../test/portfolios.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser } from '../../test/users.js';
import { schema } from '../schema.js';
import { FIELD_COLUMNS } from './investment-reads.js';

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

const t = useTestApp();

describe('Investment fields through a page', () => {
  const investmentFields = Object.keys((schema.getType('Investment') as GraphQLObjectType).getFields());

  it('all say which columns they read', () => {
    expect(investmentFields.filter((name) => !(name in FIELD_COLUMNS))).toEqual([]);
  });

  it('answer as the Prisma record does, each alone and all together, also through fragments', async () => {
    await seedMarketAssets(t);
    const user = await createTestUser(t);
    const portfolio = await createPortfolio(t, user);
    const added = await addInvestment(t, user, portfolio.id, { quantity: '10.50', purchasePrice: '0.00000100', notes: 'a note' });
    await addInvestment(t, user, portfolio.id, { symbol: 'MSFT', quantity: '3', purchasePrice: '400' });
    const selection = (names: string[]) =>
      names.map((name) => (name === 'portfolio' ? 'portfolio { id }' : name === 'quote' ? 'quote { symbol }' : name)).join(' ');
    // updateInvestment answers with the Prisma record (an empty patch changes nothing).
    const viaRecord = async (names: string[]) =>
      ok(
        await t.gql<{ updateInvestment: Record<string, unknown> }>(
          `mutation($id: ID!) { updateInvestment(id: $id, input: {}) { ${selection(names)} } }`,
          { id: added.id },
          { token: user.token },
        ),
      ).updateInvestment;
    const viaPage = async (names: string[], fragment: boolean) => {
      const node = fragment ? '...F' : selection(names);
      const document =
        `query($id: ID!) { portfolio(id: $id) { investments(first: 1) { edges { cursor node { ${node} } } pageInfo { endCursor } } } }` +
        (fragment ? ` fragment F on Investment { ${selection(names)} }` : '');
      const data = ok(
        await t.gql<{
          portfolio: { investments: { edges: { cursor: string; node: Record<string, unknown> }[]; pageInfo: { endCursor: string } } };
        }>(document, { id: portfolio.id }, { token: user.token }),
      );
      const [edge] = data.portfolio.investments.edges;
      expect(edge!.cursor).toBe(data.portfolio.investments.pageInfo.endCursor);
      return edge!.node;
    };
    for (const names of [...investmentFields.map((name) => [name]), investmentFields]) {
      const expected = await viaRecord(names);
      expect(await viaPage(names, false), names.join(' ')).toEqual(expected);
      expect(await viaPage(names, true), names.join(' ')).toEqual(expected);
    }
  });
});
