import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { SimulatedProvider } from './simulated.js';
import { YahooProvider } from './yahoo.js';
import { AlphaVantageProvider } from './alphavantage.js';
import { ProviderChain } from './chain.js';
import { stubFetch } from './fixtures/fetch-stub.js';
import { findInstrument } from './universe.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const simulated = () => new SimulatedProvider({ now: () => NOW, tickSeed: 1 });

describe('simulated corporate actions', () => {
  it('carries the real split history of its universe', async () => {
    const provider = simulated();
    const splits = async (symbol: string) =>
      (await provider.corporateActions(symbol, '2019-01-01', '2026-12-07'))
        .filter((a) => a.type === 'SPLIT')
        .map((a) => `${a.exDate} ${a.splitFrom}:${a.splitTo}`);
    expect(await splits('NVDA')).toEqual(['2021-07-20 1:4', '2024-06-10 1:10']);
    expect(await splits('AAPL')).toEqual(['2020-08-31 1:4']);
    expect(await splits('TSLA')).toEqual(['2020-08-31 1:5', '2022-08-25 1:3']);
    expect(await splits('GOOGL')).toEqual(['2022-07-18 1:20']);
    expect(await splits('AMZN')).toEqual(['2022-06-06 1:20']);
    const [nvda] = await provider.corporateActions('nvda', '2024-06-10', '2024-06-10');
    expect(nvda).toMatchObject({ type: 'SPLIT', symbol: 'NVDA', source: 'simulated' });
  });

  it('pays quarterly dividends on weekdays, consistent with the yield, the same every time', async () => {
    const provider = simulated();
    const dividends = (await provider.corporateActions('KO', '2023-01-01', '2023-12-31')).filter((a) => a.type === 'DIVIDEND');
    expect(dividends).toHaveLength(4);
    for (const d of dividends) {
      expect([1, 2, 3, 4, 5]).toContain(new Date(`${d.exDate}T00:00:00Z`).getUTCDay());
      expect(d.payDate! > d.exDate).toBe(true);
      expect(d.currency).toBe('USD');
    }
    // Four payments make about the yield of the price (within the year's price moves).
    const [candle] = await provider.history('KO', '2023-06-30', '2023-06-30');
    const paid = dividends.reduce((sum, d) => sum.plus(d.amountPerShare!), new Decimal(0));
    const yieldPaid = paid.div(candle!.close).toNumber();
    expect(yieldPaid).toBeGreaterThan(findInstrument('KO')!.fundamentals.dividendYield! * 0.6);
    expect(yieldPaid).toBeLessThan(findInstrument('KO')!.fundamentals.dividendYield! * 1.6);
    expect(await simulated().corporateActions('KO', '2023-01-01', '2023-12-31')).toEqual(
      await provider.corporateActions('KO', '2023-01-01', '2023-12-31'),
    );
    // Non-payers and crypto pay nothing; nothing after today.
    expect((await provider.corporateActions('AMZN', '2020-01-01', '2026-12-07')).filter((a) => a.type === 'DIVIDEND')).toEqual([]);
    expect(await provider.corporateActions('BTC-USD', '2020-01-01', '2026-12-07')).toEqual([]);
    expect(await provider.corporateActions('KO', '2027-01-01', '2027-12-31')).toEqual([]);
  });

  it('reports a dividend before a split as paid: the adjusted amount times the later splits', async () => {
    const provider = simulated();
    const [before] = (await provider.corporateActions('AAPL', '2020-04-01', '2020-06-30')).filter((a) => a.type === 'DIVIDEND');
    const [after] = (await provider.corporateActions('AAPL', '2020-10-01', '2020-12-31')).filter((a) => a.type === 'DIVIDEND');
    // Same yield, but one pre-split share is four shares afterwards.
    const ratio = new Decimal(before!.amountPerShare!).div(after!.amountPerShare!).toNumber();
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(6);
  });
});

describe('Yahoo corporate actions (chart events=div,splits)', () => {
  it('reads splits and dividends, reporting dividends as paid', async () => {
    const stub = stubFetch(() => ({ fixture: 'yahoo/chart-aapl-events-2020.json' }));
    const provider = new YahooProvider({ fetch: stub.fetch, now: () => NOW });
    const actions = await provider.corporateActions('AAPL', '2020-01-01', '2020-12-31');
    expect(stub.requests[0]!.searchParams.get('events')).toBe('div,splits');
    expect(actions.map((a) => [a.type, a.exDate, a.amountPerShare ?? `${a.splitFrom}:${a.splitTo}`])).toEqual([
      ['DIVIDEND', '2020-02-07', '0.77'],
      ['DIVIDEND', '2020-05-08', '0.82'],
      ['DIVIDEND', '2020-08-07', '0.82'],
      ['SPLIT', '2020-08-31', '1:4'],
      ['DIVIDEND', '2020-11-06', '0.205'],
    ]);
    expect(actions[0]).toMatchObject({ symbol: 'AAPL', currency: 'USD', source: 'yahoo' });
    expect(await provider.corporateActions('AAPL', '2020-09-01', '2020-10-31')).toEqual([]);
  });

  it('has none for a symbol Yahoo does not know', async () => {
    const stub = stubFetch(() => ({ status: 404, fixture: 'yahoo/chart-not-found.json' }));
    expect(await new YahooProvider({ fetch: stub.fetch, now: () => NOW }).corporateActions('NOPE', '2020-01-01', '2020-12-31')).toEqual([]);
  });
});

describe('Alpha Vantage corporate actions (DIVIDENDS, SPLITS)', () => {
  it('reads both endpoints within the range', async () => {
    const stub = stubFetch((url) => ({
      fixture: url.searchParams.get('function') === 'DIVIDENDS' ? 'alphavantage/dividends-ibm.json' : 'alphavantage/splits-ibm.json',
    }));
    const provider = new AlphaVantageProvider({ apiKey: 'K', fetch: stub.fetch, now: () => NOW, callsPerMinute: 100 });
    const actions = await provider.corporateActions('IBM', '2021-01-01', '2024-12-31');
    expect(stub.requests.map((u) => u.searchParams.get('function'))).toEqual(['DIVIDENDS', 'SPLITS']);
    expect(actions.map((a) => [a.type, a.exDate, a.payDate, a.amountPerShare ?? `${a.splitFrom}:${a.splitTo}`])).toEqual([
      ['SPLIT', '2021-11-04', null, '1:1.046'],
      ['DIVIDEND', '2024-02-08', '2024-03-09', '1.66'],
      ['DIVIDEND', '2024-05-09', '2024-06-10', '1.67'],
      ['DIVIDEND', '2024-08-09', '2024-09-10', '1.67'],
      ['DIVIDEND', '2024-11-12', '2024-12-10', '1.67'],
    ]);
    expect(actions[1]).toMatchObject({ symbol: 'IBM', currency: 'USD', source: 'alphavantage' });
  });
});

describe('corporate actions through the chain', () => {
  it('falls through to the next provider when the first has none', async () => {
    const empty = stubFetch(() => ({ status: 404, fixture: 'yahoo/chart-not-found.json' }));
    const chain = new ProviderChain([new YahooProvider({ fetch: empty.fetch, now: () => NOW }), simulated()]);
    try {
      const actions = await chain.corporateActions('NVDA', '2024-06-01', '2024-06-30');
      expect(actions.find((a) => a.type === 'SPLIT')).toMatchObject({ exDate: '2024-06-10', splitTo: '10', source: 'simulated' });
    } finally {
      chain.shutdown();
    }
  });
});
