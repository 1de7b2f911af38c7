/**
 * Speed of the analytics core (src/analytics/core) on the sizes bench/numpy_yardstick.py uses:
 *   - risk report: 50 holdings × 1260 trading days: valuation, flow-adjusted returns, TWR,
 *     cumulative series, annualized return, XIRR, volatility, Sharpe, Sortino, beta, max
 *     drawdown, historical / conditional / parametric VaR, 50×50 correlation matrix and pairs;
 *   - Monte Carlo: 10,000 paths × 252 days × 20 assets, percentile bands every day, VaR.
 * Both start from a price table (days × symbols), as numpy starts from a price matrix; building
 * that table from {date, close} rows is timed on its own line.
 *
 * Run: npx tsx bench/analytics.bench.ts [--numpy] [--no-mc]
 *   --numpy  also runs bench/numpy_yardstick.py with /usr/bin/python3 and shows both side by side
 *   --no-mc  skips the Monte Carlo (about 10 s)
 * Prints median times in ms as a markdown table.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  SeededRandom,
  alignedSymbolReturns,
  annualizedReturn,
  buildPriceTable,
  buildValuationSeries,
  calendarDaysBetween,
  closesOf,
  correlationMatrix,
  correlationPairs,
  cumulativeReturns,
  moneyWeightedReturn,
  portfolioReturns,
  riskFigures,
  simulatePortfolioValue,
  symbolReturns,
  timeWeightedReturn,
  type HoldingLot,
  type PricePoint,
} from '../src/analytics/core/index.js';

const HOLDINGS = 50;
const TRADING_DAYS = 1260;
const MC_PATHS = 10_000;
const MC_HORIZON = 252;
const MC_ASSETS = 20;

/** Weekdays from 2019-01-01, as ISO dates. */
function tradingDays(count: number): string[] {
  const days: string[] = [];
  for (let time = Date.UTC(2019, 0, 1); days.length < count; time += 86_400_000) {
    const weekday = new Date(time).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(new Date(time).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Geometric random walks sharing one market factor (so correlations are not all ~0), as the
 * {date, close} rows a database returns: every row has its own date string, as from a driver.
 */
function priceRows(symbols: string[], dates: string[], random: SeededRandom): Map<string, PricePoint[]> {
  const market = new Float64Array(dates.length);
  random.fillStandardNormal(market);
  const noise = new Float64Array(dates.length);
  const rows = new Map<string, PricePoint[]>();
  for (const symbol of symbols) {
    random.fillStandardNormal(noise);
    let close = 50 + 100 * random.nextFloat();
    const points: PricePoint[] = [];
    for (let t = 0; t < dates.length; t++) {
      close *= 1 + 0.0003 + 0.008 * (market[t] as number) + 0.012 * (noise[t] as number);
      points.push({ date: `${dates[t] as string}!`.slice(0, 10), close });
    }
    rows.set(symbol, points);
  }
  return rows;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(run: () => unknown, warmups: number, runs: number): number {
  for (let i = 0; i < warmups; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

const random = new SeededRandom(42);
const dates = tradingDays(TRADING_DAYS);
const symbols = Array.from({ length: HOLDINGS }, (_, i) => `S${String(i).padStart(2, '0')}`);
const rows = priceRows([...symbols, 'BENCH'], dates, random);
const prices = buildPriceTable(rows);
const range = { from: dates[0] as string, to: dates[dates.length - 1] as string };
// Most lots are held from the start; every fifth is bought mid-range (a cash flow).
const lots: HoldingLot[] = symbols.map((symbol, i) => ({
  symbol,
  quantity: 10 + i,
  purchaseDate: i % 5 === 0 ? (dates[100 + 10 * i] as string) : '2018-12-01',
  purchasePrice: (closesOf(prices, symbol) as Float64Array)[0] as number,
}));

function riskReport(): unknown {
  const valuation = buildValuationSeries(lots, prices, range);
  const returns = portfolioReturns(valuation);
  const twr = timeWeightedReturn(returns.returns);
  const calendarDays = calendarDaysBetween(valuation.dates[0] as string, valuation.dates[valuation.dates.length - 1] as string);
  const performance = {
    twr,
    annualized: annualizedReturn(twr, calendarDays),
    mwr: moneyWeightedReturn(valuation),
    cumulative: cumulativeReturns(valuation),
  };
  const figures = riskFigures(returns, { confidence: 0.95, benchmark: symbolReturns(prices, 'BENCH', range) });
  const holdings = alignedSymbolReturns(prices, symbols, range);
  const correlations = correlationPairs(correlationMatrix(holdings.rows), symbols);
  return { performance, figures, correlations };
}

const mcAssets = symbols.slice(0, MC_ASSETS);
const mcReturns = alignedSymbolReturns(prices, mcAssets, range).rows;
const mcValues = mcAssets.map((symbol) => {
  const closes = closesOf(prices, symbol) as Float64Array;
  return 100 * (closes[closes.length - 1] as number);
});
function monteCarlo(): unknown {
  return simulatePortfolioValue({
    assetReturns: mcReturns,
    holdingValues: mcValues,
    horizonDays: MC_HORIZON,
    paths: MC_PATHS,
    seed: 7,
    confidence: 0.95,
  });
}

const core = {
  table: time(() => buildPriceTable(rows), 50, 300),
  risk: time(riskReport, 50, 300),
  monteCarlo: process.argv.includes('--no-mc') ? Number.NaN : time(monteCarlo, 1, 7),
};

let numpy: { risk: number; monteCarlo: number } | null = null;
if (process.argv.includes('--numpy')) {
  const script = fileURLToPath(new URL('./numpy_yardstick.py', import.meta.url));
  numpy = JSON.parse(execFileSync('/usr/bin/python3', [script, '--json'], { encoding: 'utf8' })) as { risk: number; monteCarlo: number };
}

const table: [string, number, number | undefined][] = [
  [
    `price table from {date, close} rows (${HOLDINGS + 1} symbols × ${TRADING_DAYS} days; numpy gets a ready matrix)`,
    core.table,
    undefined,
  ],
  [`risk report (${HOLDINGS} holdings × ${TRADING_DAYS} days)`, core.risk, numpy?.risk],
  [`Monte Carlo (${MC_PATHS} paths × ${MC_HORIZON} days × ${MC_ASSETS} assets)`, core.monteCarlo, numpy?.monteCarlo],
];
const ms = (value: number | undefined): string =>
  value === undefined || Number.isNaN(value) ? '–' : value < 10 ? value.toFixed(3) : value.toFixed(1);
console.log(numpy ? '| work | core (ms) | numpy (ms) | core / numpy |' : '| work | core (ms) |');
console.log(numpy ? '|---|---:|---:|---:|' : '|---|---:|');
for (const [label, coreMs, numpyMs] of table) {
  const ratio = numpyMs === undefined || Number.isNaN(coreMs) ? '–' : `${(coreMs / numpyMs).toFixed(2)}×`;
  console.log(`| ${label} | ${[ms(coreMs), ...(numpy ? [ms(numpyMs), ratio] : [])].join(' | ')} |`);
}
