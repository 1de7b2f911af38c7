/**
 * Portfolios and investments: exact decimals, input rules (every problem at once), defaults from
 * the asset, and which symbols a portfolio may hold.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddInvestmentDocument,
  CreateCustomAssetDocument,
  CreatePortfolioDocument,
  PortfolioActivityDocument,
  PortfolioDocument,
  UpdateInvestmentDocument,
  UpdatePortfolioDocument,
} from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { addInvestment, createPortfolio, HOLDING, ok, seedMarketAssets } from '../../test/portfolios.js';
import { latestDateOnEarth } from './validation.js';

const t = useTestApp();
let owner: TestUser;
beforeAll(async () => {
  await seedMarketAssets(t);
  owner = await createTestUser(t);
});

type Details = { field: string; message: string }[];
const detailsOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) =>
  (result.errors?.[0]?.extensions?.details ?? []) as Details;
const fields = (details: Details) => details.map((d) => d.field).sort();

/** a × b for decimal strings, by integer arithmetic: an oracle independent of decimal.js. */
function multiplyDecimalStrings(a: string, b: string): string {
  const parse = (s: string) => {
    const [int, frac = ''] = s.split('.');
    return { digits: BigInt(`${int}${frac}`), scale: frac.length };
  };
  const x = parse(a);
  const y = parse(b);
  const scale = x.scale + y.scale;
  const text = (x.digits * y.digits).toString().padStart(scale + 1, '0');
  const result = scale ? `${text.slice(0, -scale)}.${text.slice(-scale)}` : text;
  return result.includes('.') ? result.replace(/0+$/, '').replace(/\.$/, '') : result;
}

describe('decimals', () => {
  it.each([
    ['0.10000001', '12345.6789'],
    ['0.1', '0.2'],
    ['9999999999.99999999', '9999999999.99999999'],
    ['0.00000001', '0.00000001'],
    ['3', '0'],
  ])('quantity %s × price %s: stored, returned and multiplied exactly', async (quantity, purchasePrice) => {
    const portfolio = await createPortfolio(t, owner);
    const investment = await addInvestment(t, owner, portfolio.id, { quantity, purchasePrice });
    expect(investment.quantity).toBe(quantity);
    expect(investment.purchasePrice).toBe(purchasePrice);
    expect(investment.costBasis).toBe(multiplyDecimalStrings(quantity, purchasePrice));
    // And again from the database, not from the mutation's own values.
    const read = ok(await t.gql(PortfolioDocument, { id: portfolio.id }, { token: owner.token })).portfolio!.investments.edges[0]!.node;
    expect([read.quantity, read.purchasePrice, read.costBasis]).toEqual([quantity, purchasePrice, investment.costBasis]);
  });

  it('the oracle itself: 0.10000001 × 12345.6789 = 1234.568013456789', () => {
    expect(multiplyDecimalStrings('0.10000001', '12345.6789')).toBe('1234.568013456789');
  });

  it('"0.1" + "0.2" as quantities stays 0.3, with no float error', async () => {
    const portfolio = await createPortfolio(t, owner);
    const investment = await addInvestment(t, owner, portfolio.id, { quantity: '0.1', purchasePrice: '1' });
    const updated = ok(
      await t.gql(UpdateInvestmentDocument, { id: investment.id, input: { quantity: '0.30000000' } }, { token: owner.token }),
    );
    expect(updated.updateInvestment.quantity).toBe('0.3');
    expect(updated.updateInvestment.costBasis).toBe('0.3');
  });

  it('refuses what DECIMAL(18,8) cannot hold, rather than rounding it', async () => {
    const portfolio = await createPortfolio(t, owner);
    const result = await t.gql(
      AddInvestmentDocument,
      { portfolioId: portfolio.id, input: { ...HOLDING, quantity: '0.000000001', purchasePrice: '12345678901' } },
      { token: owner.token },
    );
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(detailsOf(result)).toEqual([
      { field: 'quantity', message: 'must have at most 8 digits after the decimal point' },
      { field: 'purchasePrice', message: 'must have at most 10 digits before the decimal point' },
    ]);
  });

  it('refuses a number that is not a decimal string', async () => {
    const portfolio = await createPortfolio(t, owner);
    const result = await t.gql(
      AddInvestmentDocument,
      { portfolioId: portfolio.id, input: { ...HOLDING, quantity: '1,5' } },
      { token: owner.token },
    );
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
  });
});

describe('input rules', () => {
  it('reports every problem of an investment at once', async () => {
    const portfolio = await createPortfolio(t, owner);
    const tomorrowSomewhere = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const result = await t.gql(
      AddInvestmentDocument,
      {
        portfolioId: portfolio.id,
        input: {
          symbol: 'NOPE',
          name: '   ',
          quantity: '0',
          purchasePrice: '-1',
          purchaseDate: tomorrowSomewhere,
          sector: 'x'.repeat(101),
        },
      },
      { token: owner.token },
    );
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(fields(detailsOf(result))).toEqual(['name', 'purchaseDate', 'purchasePrice', 'quantity', 'sector', 'symbol']);
    expect(detailsOf(result).find((d) => d.field === 'symbol')?.message).toMatch(/unknown symbol NOPE/);
    expect(detailsOf(result).find((d) => d.field === 'quantity')?.message).toBe('must be greater than 0');
    expect(detailsOf(result).find((d) => d.field === 'purchasePrice')?.message).toBe('must not be negative');
    expect(await t.app.services.db.investment.count({ where: { portfolioId: portfolio.id } })).toBe(0);
  });

  it('accepts today wherever it is already today, and a price of zero', async () => {
    const portfolio = await createPortfolio(t, owner);
    const investment = await addInvestment(t, owner, portfolio.id, { purchaseDate: latestDateOnEarth(), purchasePrice: '0' });
    expect(investment.purchaseDate).toBe(latestDateOnEarth());
  });

  it('reports every problem of a portfolio at once, and trims names', async () => {
    const bad = await t.gql(
      CreatePortfolioDocument,
      { input: { name: ' ', baseCurrency: 'XYZ', description: 'd'.repeat(2001) } },
      { token: owner.token },
    );
    expect(fields(detailsOf(bad))).toEqual(['baseCurrency', 'description', 'name']);
    const tooLong = await t.gql(CreatePortfolioDocument, { input: { name: 'n'.repeat(256) } }, { token: owner.token });
    expect(detailsOf(tooLong)).toEqual([{ field: 'name', message: 'must be at most 255 characters' }]);

    const good = await createPortfolio(t, owner, { name: `  ${'n'.repeat(255)}  `, baseCurrency: ' eur ' });
    expect(good.name).toBe('n'.repeat(255));
    expect(good.baseCurrency).toBe('EUR');
    expect((await createPortfolio(t, owner, { name: 'Default currency' })).baseCurrency).toBe('USD');
  });

  it('refuses clearing a required field, and changes nothing when nothing changes', async () => {
    const portfolio = await createPortfolio(t, owner, { name: 'Keep' });
    const cleared = await t.gql(UpdatePortfolioDocument, { id: portfolio.id, input: { name: null } }, { token: owner.token });
    expect(detailsOf(cleared)).toEqual([{ field: 'name', message: 'cannot be cleared' }]);
    const same = ok(await t.gql(UpdatePortfolioDocument, { id: portfolio.id, input: { name: ' Keep ' } }, { token: owner.token }));
    expect(same.updatePortfolio.updatedAt).toBe(portfolio.updatedAt);
    const activity = ok(await t.gql(PortfolioActivityDocument, { id: portfolio.id }, { token: owner.token })).portfolio!.activity;
    expect(activity.edges.map((e) => e.node.action)).toEqual(['PORTFOLIO_CREATED']);

    const investment = await addInvestment(t, owner, portfolio.id, { notes: 'note' });
    const nullQuantity = await t.gql(UpdateInvestmentDocument, { id: investment.id, input: { quantity: null } }, { token: owner.token });
    expect(detailsOf(nullQuantity)).toEqual([{ field: 'quantity', message: 'cannot be cleared' }]);
    const clearedNotes = ok(
      await t.gql(UpdateInvestmentDocument, { id: investment.id, input: { notes: null, sector: '  ' } }, { token: owner.token }),
    );
    expect(clearedNotes.updateInvestment).toMatchObject({ notes: null, sector: 'Information Technology' });
  });

  it('normalises symbols, and takes name, type and sector from the asset, never from the lot', async () => {
    const portfolio = await createPortfolio(t, owner);
    const defaulted = await addInvestment(t, owner, portfolio.id, { symbol: '  aapl ' });
    expect(defaulted).toMatchObject({ symbol: 'AAPL', name: 'Apple Inc.', type: 'STOCK', sector: 'Information Technology' });
    // The asset's own values may be repeated; others are refused, not stored on the lot.
    const same = await addInvestment(t, owner, portfolio.id, { symbol: 'vti', name: 'Vanguard Total Stock Market ETF', type: 'ETF' });
    expect(same).toMatchObject({ symbol: 'VTI', name: 'Vanguard Total Stock Market ETF', type: 'ETF' });
    const given = await t.gql(
      AddInvestmentDocument,
      {
        portfolioId: portfolio.id,
        input: {
          symbol: 'vti',
          name: 'My index fund',
          type: 'FUND',
          sector: 'Broad market',
          quantity: '1',
          purchasePrice: '1',
          purchaseDate: '2024-01-02',
        },
      },
      { token: owner.token },
    );
    expect(detailsOf(given)).toEqual([
      { field: 'name', message: "is the asset's (Vanguard Total Stock Market ETF); leave it out or change the asset" },
      { field: 'type', message: "is the asset's (ETF); leave it out or change the asset" },
      { field: 'sector', message: `is the asset's (${same.sector ?? 'none'}); leave it out or change the asset` },
    ]);
    const patched = await t.gql(UpdateInvestmentDocument, { id: same.id, input: { sector: 'Broad market' } }, { token: owner.token });
    expect(detailsOf(patched)).toEqual([
      { field: 'sector', message: `is the asset's (${same.sector ?? 'none'}); leave it out or change the asset` },
    ]);
  });
});

describe('custom assets in portfolios', () => {
  it("are usable in their creator's portfolios only, even by an editor there", async () => {
    const editor = await createTestUser(t);
    const mine = ok(
      await t.gql(
        CreateCustomAssetDocument,
        { input: { symbol: 'my-house', name: 'The house', type: 'REAL_ESTATE', currency: 'eur' } },
        { token: owner.token },
      ),
    );
    expect(mine.createCustomAsset).toEqual({ symbol: 'MY-HOUSE', name: 'The house', type: 'REAL_ESTATE', currency: 'EUR', sector: null });
    ok(
      await t.gql(
        CreateCustomAssetDocument,
        { input: { symbol: 'EDITOR-FUND', name: 'Fund', type: 'FUND', currency: 'USD' } },
        { token: editor.token },
      ),
    );

    const portfolio = await createPortfolio(t, owner);
    await t.app.services.db.portfolioShare.create({ data: { portfolioId: portfolio.id, userId: editor.id, permission: 'EDIT' } });

    const house = await addInvestment(t, editor, portfolio.id, { symbol: 'my-house', quantity: '1', purchasePrice: '350000' });
    expect(house).toMatchObject({ symbol: 'MY-HOUSE', name: 'The house', type: 'REAL_ESTATE' });

    const editorsOwn = await t.gql(
      AddInvestmentDocument,
      { portfolioId: portfolio.id, input: { ...HOLDING, symbol: 'EDITOR-FUND' } },
      { token: editor.token },
    );
    expect(detailsOf(editorsOwn)[0]?.field).toBe('symbol');

    // Nor may the owner hold someone else's custom asset in their own portfolio.
    const own = await createPortfolio(t, editor);
    const strangers = await t.gql(
      AddInvestmentDocument,
      { portfolioId: own.id, input: { ...HOLDING, symbol: 'MY-HOUSE' } },
      { token: editor.token },
    );
    expect(errorCode(strangers)).toBe('BAD_USER_INPUT');
  });
});
