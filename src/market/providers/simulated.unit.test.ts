import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { SimulatedProvider } from './simulated.js';
import { SIMULATION_BASE_DATE, UNIVERSE, findInstrument } from './universe.js';
import { FactorExposure } from './factors.js';
import type { AssetType } from './types.js';

/** A Wednesday, mid-morning UTC. */
const NOW = new Date('2025-06-18T10:00:00Z');

function provider(now: () => Date = () => NOW, tickSeed = 42): SimulatedProvider {
  return new SimulatedProvider({ now, tickSeed });
}

function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function decimalsOf(value: string): number {
  return value.split('.')[1]?.length ?? 0;
}

/** About two years of history before NOW. */
const TWO_YEARS = ['2023-06-01', '2025-06-01'] as const;

/** Daily log returns of the closes over TWO_YEARS, by date. */
async function dailyReturns(sim: SimulatedProvider, symbol: string): Promise<Map<string, number>> {
  const candles = await sim.history(symbol, ...TWO_YEARS);
  const returns = new Map<string, number>();
  for (let i = 1; i < candles.length; i++) {
    returns.set(candles[i]!.date, Math.log(Number(candles[i]!.close) / Number(candles[i - 1]!.close)));
  }
  return returns;
}

/** Sample correlation and beta of a against b, on the dates both have. */
function correlationAndBeta(a: Map<string, number>, b: Map<string, number>): { correlation: number; beta: number } {
  const dates = [...a.keys()].filter((date) => b.has(date));
  const xs = dates.map((date) => a.get(date)!);
  const ys = dates.map((date) => b.get(date)!);
  const meanX = xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / ys.length;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let i = 0; i < xs.length; i++) {
    covariance += (xs[i]! - meanX) * (ys[i]! - meanY);
    varianceX += (xs[i]! - meanX) ** 2;
    varianceY += (ys[i]! - meanY) ** 2;
  }
  return { correlation: covariance / Math.sqrt(varianceX * varianceY), beta: covariance / varianceY };
}

function annualizedVolatility(returns: Map<string, number>, periodsPerYear: number): number {
  const values = [...returns.values()];
  const mean = values.reduce((sum, r) => sum + r, 0) / values.length;
  const variance = values.reduce((sum, r) => sum + (r - mean) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance * periodsPerYear);
}

describe('universe', () => {
  it('holds about 150 instruments with unique symbols and every required field', () => {
    expect(UNIVERSE.length).toBeGreaterThanOrEqual(140);
    expect(UNIVERSE.length).toBeLessThanOrEqual(170);
    expect(new Set(UNIVERSE.map((i) => i.symbol)).size).toBe(UNIVERSE.length);
    const assetTypes: AssetType[] = ['STOCK', 'ETF', 'BOND', 'CRYPTO', 'FUND', 'CASH', 'COMMODITY', 'REAL_ESTATE', 'OTHER'];
    for (const instrument of UNIVERSE) {
      expect(instrument.symbol).toMatch(/^[A-Z0-9.-]+$/);
      expect(instrument.name.length).toBeGreaterThan(1);
      expect(assetTypes).toContain(instrument.type);
      expect(instrument.currency).toMatch(/^[A-Z]{3}$/);
      expect(instrument.simulation.basePrice).toBeGreaterThan(0);
      expect(instrument.simulation.volatility).toBeGreaterThan(0);
      expect(instrument.simulation.volatility).toBeLessThan(2);
      expect(Math.abs(instrument.simulation.drift)).toBeLessThan(1);
    }
  });

  it('covers US and European stocks, ETFs, bond funds and crypto with their currencies and exchanges', () => {
    const types = new Set(UNIVERSE.map((i) => i.type));
    for (const type of ['STOCK', 'ETF', 'BOND', 'FUND', 'CRYPTO'] as const) expect(types).toContain(type);
    for (const symbol of ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'NVDA', 'META', 'TSLA', 'JPM', 'V', 'JNJ']) {
      expect(findInstrument(symbol)).toMatchObject({ type: 'STOCK', currency: 'USD' });
    }
    expect(findInstrument('sap.de')).toMatchObject({ currency: 'EUR', exchange: 'XETRA', sector: 'Information Technology' });
    expect(findInstrument('NESN.SW')).toMatchObject({ currency: 'CHF' });
    expect(findInstrument('SHEL.L')).toMatchObject({ currency: 'GBP', exchange: 'LSE' });
    expect(findInstrument('ASML.AS')?.currency).toBe('EUR');
    expect(findInstrument('MC.PA')?.currency).toBe('EUR');
    for (const symbol of ['SPY', 'QQQ', 'VTI', 'VOO', 'IWM', 'EFA', 'VEA', 'VWO', 'GLD', 'SLV', 'VNQ']) {
      expect(findInstrument(symbol)?.type).toBe('ETF');
    }
    for (const symbol of ['AGG', 'BND', 'TLT', 'IEF']) expect(findInstrument(symbol)?.type).toBe('BOND');
    for (const symbol of ['BTC-USD', 'ETH-USD', 'SOL-USD']) {
      expect(findInstrument(symbol)).toMatchObject({ type: 'CRYPTO', exchange: null, currency: 'USD' });
    }
  });

  it('gives every instrument factor loadings that leave room for its own noise, broad funds near 1', () => {
    for (const instrument of UNIVERSE) expect(() => new FactorExposure(instrument.simulation.factorLoadings)).not.toThrow();
    expect(() => new FactorExposure({ usEquity: 0.8, europeEquity: 0.8 })).toThrow(RangeError);
    expect(findInstrument('SPY')!.simulation.factorLoadings).toEqual({ usEquity: 0.99 });
    expect(findInstrument('AAPL')!.simulation.factorLoadings).toEqual({ usEquity: 0.7 });
  });

  it('gives crypto more volatility than stocks and bond funds the least', () => {
    const volatility = (symbol: string) => findInstrument(symbol)!.simulation.volatility;
    expect(volatility('BTC-USD')).toBeGreaterThan(volatility('AAPL'));
    expect(volatility('AAPL')).toBeGreaterThan(volatility('AGG'));
    expect(volatility('SHY')).toBeLessThan(0.05);
  });
});

describe('SimulatedProvider history', () => {
  it('gives the same candle for a symbol and date whatever the range and instance', async () => {
    // A stock, a bond fund (other factors) and crypto (weekend days move on the crypto factor only).
    for (const [symbol, days] of [
      ['AAPL', 5],
      ['BND', 5],
      ['BTC-USD', 7],
    ] as const) {
      const long = await provider().history(symbol, '2019-06-01', '2025-06-01');
      const short = await provider().history(symbol.toLowerCase(), '2023-03-06', '2023-03-12');
      const reversedOrder = provider();
      await reversedOrder.history(symbol, '2024-01-01', '2024-12-31'); // warm a later stretch first
      const again = await reversedOrder.history(symbol, '2023-03-06', '2023-03-12');
      const before = await provider().history(symbol, '2019-07-01', '2019-07-07'); // before the base date
      expect(short).toHaveLength(days);
      expect(short).toEqual(long.filter((c) => c.date >= '2023-03-06' && c.date <= '2023-03-12'));
      expect(again).toEqual(short);
      expect(before).toEqual(long.filter((c) => c.date >= '2019-07-01' && c.date <= '2019-07-07'));
    }
  });

  it('does not depend on the tick seed or on quotes taken before', async () => {
    const ticked = provider(() => NOW, 1);
    await ticked.quotes(['MSFT', 'BTC-USD']);
    await ticked.quotes(['MSFT', 'BTC-USD']);
    expect(await ticked.history('MSFT', '2024-05-01', '2024-05-31')).toEqual(
      await provider(() => NOW, 999).history('MSFT', '2024-05-01', '2024-05-31'),
    );
  });

  it('is stable across releases: a stored history must not silently change', async () => {
    // If the model changes on purpose, update these and say so: saved demo data will shift.
    // Last changed: returns follow market factors (factors.ts), so every close after the base date moved.
    const [candle] = await provider().history('AAPL', '2020-01-02', '2020-01-02');
    expect(candle).toEqual({ date: '2020-01-02', open: '74.93', high: '75.74', low: '74.42', close: '74.49', volume: 44132710 });
  });

  it('closes at the base price on the base date and walks backwards before it', async () => {
    const [base] = await provider().history('MSFT', SIMULATION_BASE_DATE, SIMULATION_BASE_DATE);
    expect(base?.close).toBe('160.62');
    const before = await provider().history('MSFT', '2019-12-02', '2019-12-31');
    expect(before.length).toBe(22);
    expect(before.every((c) => Number(c.close) > 0)).toBe(true);
  });

  it('lists weekdays only for exchange-listed assets and mutual funds, every day for crypto', async () => {
    const stock = await provider().history('SAP.DE', '2024-01-01', '2024-03-31');
    expect(stock.map((c) => weekday(c.date)).every((day) => day >= 1 && day <= 5)).toBe(true);
    expect(stock).toHaveLength(65); // every weekday of Q1 2024 (holidays ignored)
    const fund = await provider().history('VBTLX', '2024-01-06', '2024-01-07'); // a weekend
    expect(fund).toEqual([]);
    const crypto = await provider().history('BTC-USD', '2024-01-01', '2024-03-31');
    expect(crypto).toHaveLength(91);
    expect(new Set(crypto.map((c) => weekday(c.date))).size).toBe(7);
  });

  it('returns candles oldest first, never after today, and nothing for unknown symbols or empty ranges', async () => {
    const candles = await provider().history('BTC-USD', '2025-06-10', '2025-12-31');
    expect(candles.map((c) => c.date)).toEqual([
      '2025-06-10',
      '2025-06-11',
      '2025-06-12',
      '2025-06-13',
      '2025-06-14',
      '2025-06-15',
      '2025-06-16',
      '2025-06-17',
      '2025-06-18',
    ]);
    expect(await provider().history('NOPE', '2024-01-01', '2024-12-31')).toEqual([]);
    expect(await provider().history('AAPL', '2024-02-01', '2024-01-01')).toEqual([]);
    await expect(provider().history('AAPL', '2024-02-30', '2024-03-01')).rejects.toThrow(RangeError);
  });

  it('keeps OHLC consistent, prices positive and volumes plausible for the whole universe', async () => {
    const sim = provider();
    const problems: string[] = [];
    for (const instrument of UNIVERSE) {
      const candles = await sim.history(instrument.symbol, '2024-06-01', '2024-12-31');
      if (candles.length < 100) problems.push(`${instrument.symbol}: only ${candles.length} candles`);
      const average = instrument.simulation.averageVolume;
      for (const c of candles) {
        const [open, high, low, close] = [c.open, c.high, c.low, c.close].map(Number) as [number, number, number, number];
        const where = `${instrument.symbol} ${c.date}`;
        if (!(low > 0)) problems.push(`${where}: low ${c.low}`);
        if (!(low <= Math.min(open, close) && high >= Math.max(open, close))) problems.push(`${where}: ${JSON.stringify(c)}`);
        const volumeOk =
          average === null ? c.volume === null : Number.isInteger(c.volume) && c.volume! > average * 0.1 && c.volume! < average * 10;
        if (!volumeOk) problems.push(`${where}: volume ${c.volume}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('opens crypto days at the previous close and rounds to sensible decimals', async () => {
    const btc = await provider().history('BTC-USD', '2024-03-01', '2024-03-10');
    for (let i = 1; i < btc.length; i++) expect(btc[i]!.open).toBe(btc[i - 1]!.close);
    const apple = await provider().history('AAPL', '2024-03-01', '2024-03-10');
    for (const c of apple) for (const v of [c.open, c.high, c.low, c.close]) expect(decimalsOf(v)).toBe(2);
    const [shib] = await provider().history('SHIB-USD', '2024-03-01', '2024-03-01');
    const close = new Decimal(shib!.close);
    expect(close.lessThan(1)).toBe(true);
    // About four significant digits, however small the price.
    expect(close.precision(true)).toBeGreaterThanOrEqual(3);
    expect(shib!.close).not.toMatch(/e/);
  });

  // Its speed is not asserted here (no timed tests): the risk-query bench reads five-year histories.
  it('gives a five-year history of every weekday, the same the second time', async () => {
    const sim = provider();
    const first = await sim.history('NVDA', '2020-06-01', '2025-06-01');
    const again = await sim.history('NVDA', '2020-06-01', '2025-06-01');
    expect(first.length).toBeGreaterThan(1_250);
    expect(again).toEqual(first);
  });
});

describe('SimulatedProvider factor model', () => {
  // Two years of daily returns: sampling error of a correlation is about ±0.05.
  it('moves S&P 500 trackers together', async () => {
    const sim = provider();
    const { correlation } = correlationAndBeta(await dailyReturns(sim, 'SPY'), await dailyReturns(sim, 'VOO'));
    expect(correlation).toBeGreaterThan(0.9);
  });

  it('gives a large-cap stock a market beta near its loading × volatility ratio', async () => {
    const sim = provider();
    const { beta } = correlationAndBeta(await dailyReturns(sim, 'AAPL'), await dailyReturns(sim, 'SPY'));
    expect(beta).toBeGreaterThan(0.5);
    expect(beta).toBeLessThan(1.3);
  });

  it('leaves bond funds barely (slightly negatively) correlated with equities', async () => {
    const sim = provider();
    const spy = await dailyReturns(sim, 'SPY');
    for (const bondFund of ['BND', 'AGG']) {
      const { correlation } = correlationAndBeta(await dailyReturns(sim, bondFund), spy);
      expect(correlation).toBeGreaterThan(-0.4);
      expect(correlation).toBeLessThan(0.3);
    }
  });

  it('moves crypto together, weekends included', async () => {
    const sim = provider();
    const bitcoin = await dailyReturns(sim, 'BTC-USD');
    const ether = await dailyReturns(sim, 'ETH-USD');
    expect(correlationAndBeta(bitcoin, ether).correlation).toBeGreaterThan(0.5);
    const isWeekend = (date: string) => weekday(date) === 0 || weekday(date) === 6;
    const weekends = (returns: Map<string, number>) => new Map([...returns].filter(([date]) => isWeekend(date)));
    expect(correlationAndBeta(weekends(bitcoin), weekends(ether)).correlation).toBeGreaterThan(0.5);
  });

  it('keeps each instrument’s volatility as configured', async () => {
    const sim = provider();
    for (const symbol of ['AAPL', 'SPY', 'BND', 'NVDA', 'SAP.DE', 'BTC-USD']) {
      const instrument = findInstrument(symbol)!;
      const measured = annualizedVolatility(await dailyReturns(sim, symbol), instrument.type === 'CRYPTO' ? 365 : 252);
      expect(measured / instrument.simulation.volatility, symbol).toBeGreaterThan(0.7);
      expect(measured / instrument.simulation.volatility, symbol).toBeLessThan(1.3);
    }
  });
});

describe('SimulatedProvider quotes', () => {
  it('walks from the latest close, moves on every call and stays positive', async () => {
    let now = NOW.getTime();
    const sim = provider(() => new Date(now));
    const [lastCandle] = (await sim.history('TSLA', '2025-06-18', '2025-06-18')).slice(-1);
    let previousPrice = lastCandle!.close;
    let moves = 0;
    for (let i = 0; i < 200; i++) {
      now += 5_000;
      const [quote] = await sim.quotes(['TSLA']);
      expect(quote).toBeDefined();
      expect(quote!.previousClose).toBe(lastCandle!.close);
      expect(Number(quote!.price)).toBeGreaterThan(0);
      expect(new Decimal(quote!.price).minus(quote!.previousClose!).toString()).toBe(new Decimal(quote!.change!).toString());
      expect(quote!.changePercent).toBeCloseTo((Number(quote!.change) / Number(quote!.previousClose)) * 100, 3);
      if (quote!.price !== previousPrice) moves++;
      previousPrice = quote!.price;
    }
    // Steps are a few cents here, so rounding hides some of them, but most show.
    expect(moves).toBeGreaterThan(140);
    // 1000 seconds of walking at TSLA's volatility stays within a few percent of the close.
    const last = await sim.quotes(['TSLA']);
    expect(Math.abs(last[0]!.changePercent!)).toBeLessThan(10);
  });

  it('anchors on Friday’s close at the weekend for stocks, on today’s close for crypto', async () => {
    const saturday = () => new Date('2025-06-21T12:00:00Z');
    const sim = provider(saturday);
    const friday = await sim.history('AAPL', '2025-06-20', '2025-06-20');
    const [apple, bitcoin] = await sim.quotes(['AAPL', 'BTC-USD']);
    expect(apple!.previousClose).toBe(friday[0]!.close);
    const btcToday = await sim.history('BTC-USD', '2025-06-21', '2025-06-21');
    expect(bitcoin!.previousClose).toBe(btcToday[0]!.close);
  });

  it('restarts the walk when the day changes', async () => {
    let now = new Date('2025-06-18T20:00:00Z').getTime();
    const sim = provider(() => new Date(now));
    await sim.quotes(['ETH-USD']);
    now = new Date('2025-06-19T00:00:01Z').getTime();
    const [nextDay] = await sim.quotes(['ETH-USD']);
    const [candle] = await sim.history('ETH-USD', '2025-06-19', '2025-06-19');
    expect(nextDay!.previousClose).toBe(candle!.close);
  });

  it('labels quotes as simulated, keeps request order, drops unknown symbols and duplicates', async () => {
    const quotes = await provider().quotes(['msft', 'UNKNOWN', 'SAP.DE', 'MSFT', ' btc-usd ']);
    expect(quotes.map((q) => q.symbol)).toEqual(['MSFT', 'SAP.DE', 'BTC-USD']);
    for (const quote of quotes) {
      expect(quote.source).toBe('simulated');
      expect(quote.timestamp).toEqual(NOW);
    }
    expect(quotes[1]!.currency).toBe('EUR');
  });
});

describe('SimulatedProvider fundamentals, news and search', () => {
  it('derives market cap from shares and the latest close; no P/E or dividends for crypto', async () => {
    const sim = provider();
    const apple = await sim.fundamentals('AAPL');
    const [close] = (await sim.history('AAPL', '2025-06-18', '2025-06-18')).map((c) => c.close);
    const expectedCap = new Decimal(close!).times(findInstrument('AAPL')!.fundamentals.sharesOutstanding!);
    expect(apple).toMatchObject({ symbol: 'AAPL', type: 'STOCK', sector: 'Information Technology', currency: 'USD', peRatio: 33 });
    expect(new Decimal(apple!.marketCap!).minus(expectedCap).abs().div(expectedCap).toNumber()).toBeLessThan(0.001);
    expect(apple!.dividendYield).toBeCloseTo(0.0044);
    expect(await sim.fundamentals('BTC-USD')).toMatchObject({ type: 'CRYPTO', peRatio: null, dividendYield: null, sector: null });
    expect((await sim.fundamentals('VBTLX'))?.marketCap).toBeNull();
    expect(await sim.fundamentals('NOPE')).toBeNull();
  });

  it('has no news', async () => {
    expect(await provider().news(['AAPL'], 10)).toEqual([]);
  });

  it('ranks exact ticker first, then ticker prefix, then name matches, case-insensitively', async () => {
    const sim = provider();
    const v = await sim.search('v', 5);
    expect(v[0]?.symbol).toBe('V');
    expect(v.slice(1).every((s) => s.symbol.startsWith('V'))).toBe(true);
    const ms = await sim.search('ms', 3);
    expect(ms.map((s) => s.symbol).slice(0, 2)).toEqual(['MS', 'MSFT']);
    expect(ms[2]!.name.toLowerCase()).toContain('ms'); // then a name match ("Cisco Systems")
    expect((await sim.search('sap', 5))[0]?.symbol).toBe('SAP.DE');
    expect((await sim.search('APPLE', 5))[0]?.symbol).toBe('AAPL');
    expect((await sim.search('bitcoin', 5)).map((s) => s.symbol)).toEqual(['BTC-USD']);
    const vanguard = await sim.search('vanguard', 3);
    expect(vanguard).toHaveLength(3);
    expect(vanguard.every((s) => s.name.toLowerCase().includes('vanguard'))).toBe(true);
    expect(await sim.search('   ', 5)).toEqual([]);
    expect(Object.keys(v[0]!).sort()).toEqual(['currency', 'exchange', 'name', 'sector', 'symbol', 'type']);
  });
});
