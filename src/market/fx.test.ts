/**
 * FX rates through GraphQL (Query.fxRate: cross rates, minor units, the last business day's rate
 * for a weekend) and valuations in the portfolio's base currency from the ledger's open lots.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import {
  FxRateDocument,
  MarketQuoteDocument,
  PortfolioValuationInBaseDocument,
  RecordTransactionDocument,
} from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio, ok, seedMarketAssets } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { FxRates, lastBusinessDay } from './fx.js';

const t = useTestApp();
let user: TestUser;
beforeAll(async () => {
  await seedMarketAssets(t);
  user = await createTestUser(t);
});

const fxRate = async (from: string, to: string, date?: string) =>
  ok(await t.gql(FxRateDocument, { from, to, date }, { token: user.token })).fxRate;

describe('Query.fxRate', () => {
  it('is deterministic, inverse pairs multiply to 1, and crosses go through USD', async () => {
    const eurUsd = new Decimal((await fxRate('EUR', 'USD', '2024-03-15'))!);
    const usdEur = new Decimal((await fxRate('USD', 'EUR', '2024-03-15'))!);
    expect(eurUsd.times(usdEur).minus(1).abs().lt(1e-9)).toBe(true);
    expect(eurUsd.gt(0.95) && eurUsd.lt(1.25)).toBe(true);
    const gbpUsd = new Decimal((await fxRate('GBP', 'USD', '2024-03-15'))!);
    const eurGbp = new Decimal((await fxRate('EUR', 'GBP', '2024-03-15'))!);
    expect(eurGbp.minus(eurUsd.div(gbpUsd)).abs().lt(1e-8)).toBe(true);
    // Another day, another rate; the same day again, the same.
    expect(await fxRate('EUR', 'USD', '2024-06-14')).not.toBe(eurUsd.toFixed());
    expect(await fxRate('EUR', 'USD', '2024-03-15')).toBe(eurUsd.toFixed());
  });

  it("a weekend or holiday takes the last business day's rate; today's without a date", async () => {
    const friday = await fxRate('EUR', 'USD', '2024-03-15');
    expect(await fxRate('EUR', 'USD', '2024-03-16')).toBe(friday);
    expect(await fxRate('EUR', 'USD', '2024-03-17')).toBe(friday);
    expect(lastBusinessDay('2024-03-18')).toBe('2024-03-18');
    expect(await fxRate('EUR', 'USD')).toBe((await new FxRates().rate('EUR', 'USD'))!.rate.toFixed());
  });

  it('minor units are hundredths; a currency without rates is null; a bad code is BAD_USER_INPUT', async () => {
    const gbpUsd = new Decimal((await fxRate('GBP', 'USD', '2024-03-15'))!);
    expect(await fxRate('GBp', 'USD', '2024-03-15')).toBe(gbpUsd.div(100).toSignificantDigits(10).toFixed());
    expect(await fxRate('GBX', 'GBP', '2024-03-15')).toBe('0.01');
    expect(await fxRate('ZAR', 'ZAc')).toBe('100');
    expect(await fxRate('USD', 'USD')).toBe('1');
    expect(await fxRate('XAU', 'USD')).toBeNull();
    const bad = await t.gql(FxRateDocument, { from: 'EURO', to: 'usd' }, { token: user.token });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect((bad.errors?.[0]?.extensions?.details as { field: string }[]).map((d) => d.field)).toEqual(['from']);
    expect(errorCode(await t.gql(FxRateDocument, { from: 'EUR', to: 'USD' }))).toBe('UNAUTHENTICATED');
  });
});

describe('valuation in the base currency, from the ledger', () => {
  it("a EUR portfolio holding a USD stock: what is left after a sale, at today's rate; cost at the buy's own rate", async () => {
    const portfolio = await createPortfolio(t, user, { baseCurrency: 'EUR' });
    const record = (input: Record<string, unknown>) =>
      t.gql(RecordTransactionDocument, { portfolioId: portfolio.id, input: input as never }, { token: user.token }).then(ok);
    await record({ type: 'BUY', symbol: 'AAPL', date: '2024-01-02', quantity: '10', price: '150', fee: '10', fxRate: '0.9' });
    await record({ type: 'SELL', symbol: 'AAPL', date: '2024-02-01', quantity: '4', price: '180', fxRate: '0.92' });
    const quote = ok(await t.gql(MarketQuoteDocument, { symbol: 'AAPL' }, { token: user.token })).quote!;
    const rate = new Decimal((await fxRate(quote.currency, 'EUR'))!);
    const read = ok(await t.gql(PortfolioValuationInBaseDocument, { id: portfolio.id }, { token: user.token })).portfolio!;
    const expectedValue = new Decimal(quote.price).times(6).times(rate);
    // Cost: 6 of the 10 shares bought for 1510 USD at 0.9 EUR/USD: 6 × 151 × 0.9 = 815.4 EUR.
    expect(read.valuation.currency).toBe('EUR');
    expect(read.valuation.totalCost).toBe('815.4');
    expect(new Decimal(read.valuation.totalValue).minus(expectedValue).abs().lt(1e-6)).toBe(true);
    expect(read.allocation).toEqual([{ key: 'USD', value: read.valuation.totalValue, weight: 1 }]);
  });
});
