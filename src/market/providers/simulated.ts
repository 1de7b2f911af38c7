/**
 * The default market-data provider: invented prices for the built-in universe, clearly labelled
 * (`source: "simulated"`) and needing no network or key.
 *
 * Daily history is a geometric Brownian motion compounded from each instrument's base price on
 * SIMULATION_BASE_DATE (and discounted backwards before it). Each day's return is drift plus
 * volatility times a standard normal that mixes market factors shared by all instruments (drawn
 * from a hash of the date, see factors.ts) with the instrument's own draw from a PRNG seeded by
 * (symbol, date), so returns correlate like a market's. The same symbol and date always give the
 * same candle, whatever range is asked for and in every process. Exchange-listed assets and mutual funds trade
 * Monday to Friday (public holidays are ignored); crypto trades every calendar day.
 *
 * Live quotes random-walk away from the latest close (the close of the most recent trading day on
 * or before today, UTC), one step per call scaled to the volatility and the time since the last
 * call, with per-process state. There are no market hours: the walk moves on weekends too.
 *
 * The simulated source has no news: `news` returns [].
 */
import { Decimal } from 'decimal.js';
import type {
  MarketDataProvider,
  ProviderCandle,
  ProviderCorporateAction,
  ProviderFundamentals,
  ProviderNewsItem,
  ProviderQuote,
  ProviderSymbol,
} from './types.js';
import { SIMULATION_BASE_DATE, UNIVERSE, findInstrument, toProviderSymbol, type UniverseInstrument } from './universe.js';
import { epochDayFromIsoDate, epochDayOf, isWeekday, isoDateFromEpochDay } from '../../platform/dates.js';
import { formatInteger, formatPrice, priceDecimals, roundNumber } from './numbers.js';
import { fnv1a32, mixSeed, mulberry32, standardNormal, type UniformRandom } from '../../platform/random.js';
import { FactorExposure } from './factors.js';
import { simulatedActions } from './simulated-actions.js';
import { normalizeSymbol, uniqueSymbols } from '../../platform/symbols.js';

export const SIMULATED_SOURCE = 'simulated';

/** No candles are invented before this day (the backward walk has to stop somewhere). */
export const SIMULATION_EARLIEST_DATE = '2000-01-01';

const BASE_DAY = epochDayFromIsoDate(SIMULATION_BASE_DATE);
const EARLIEST_DAY = epochDayFromIsoDate(SIMULATION_EARLIEST_DATE);

const HOUR_MS = 3_600_000;
/** Time over which a year's volatility accrues, in wall-clock milliseconds, for the tick walk. */
const TRADING_YEAR_MS = 252 * 6.5 * HOUR_MS; // 252 sessions of 6.5 hours
const CRYPTO_YEAR_MS = 365 * 24 * HOUR_MS;
/** A tick moves at least as much as one second and at most as much as 15 minutes of trading. */
const MIN_TICK_MS = 1_000;
const MAX_TICK_MS = 15 * 60_000;

export interface SimulatedProviderOptions {
  /** Clock; tests pin it. */
  now?: () => Date;
  /** Seed of the live tick walk (history never depends on it); random by default. */
  tickSeed?: number;
}

interface TickState {
  /** The trading day whose close the walk started from; a new day restarts the walk. */
  anchorDay: number;
  price: number;
  lastTickAt: number;
}

export class SimulatedProvider implements MarketDataProvider {
  readonly name = SIMULATED_SOURCE;
  private readonly now: () => Date;
  private readonly tickRandom: UniformRandom;
  /** Memoised closes per symbol: later histories only dress up candles (about a microsecond a day). */
  private readonly series = new Map<string, DailySeries>();
  private readonly ticks = new Map<string, TickState>();

  constructor(options: SimulatedProviderOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.tickRandom = mulberry32(options.tickSeed ?? Math.floor(Math.random() * 2 ** 32));
  }

  /**
   * Current simulated quotes. Every call advances each symbol's walk by one step, so the price
   * feed simply calls this for the symbols it publishes.
   */
  async quotes(symbols: string[]): Promise<ProviderQuote[]> {
    const now = this.now();
    const quotes: ProviderQuote[] = [];
    for (const symbol of uniqueSymbols(symbols)) {
      const instrument = findInstrument(symbol);
      if (instrument) quotes.push(this.nextQuote(instrument, now));
    }
    return quotes;
  }

  async history(symbol: string, from: string, to: string): Promise<ProviderCandle[]> {
    const instrument = findInstrument(symbol);
    const firstDay = Math.max(epochDayFromIsoDate(from), EARLIEST_DAY);
    const lastDay = Math.min(epochDayFromIsoDate(to), epochDayOf(this.now()));
    if (!instrument) return [];
    const series = this.seriesOf(instrument);
    const candles: ProviderCandle[] = [];
    for (let day = firstDay; day <= lastDay; day++) {
      if (series.isTradingDay(day)) candles.push(series.candle(day));
    }
    return candles;
  }

  async fundamentals(symbol: string): Promise<ProviderFundamentals | null> {
    const instrument = findInstrument(symbol);
    if (!instrument) return null;
    const { sharesOutstanding, peRatio, dividendYield } = instrument.fundamentals;
    const series = this.seriesOf(instrument);
    const lastClose = series.close(series.latestTradingDay(epochDayOf(this.now())));
    return {
      symbol: instrument.symbol,
      name: instrument.name,
      type: instrument.type,
      sector: instrument.sector,
      currency: instrument.currency,
      marketCap: sharesOutstanding === null ? null : formatInteger(new Decimal(lastClose).times(sharesOutstanding)),
      peRatio,
      dividendYield,
    };
  }

  /** The simulated source has no news. */
  async news(_symbols: string[], _limit: number): Promise<ProviderNewsItem[]> {
    return [];
  }

  /** The real splits of the universe and quarterly dividends consistent with each payer's yield (simulated-actions.ts). */
  async corporateActions(symbol: string, from: string, to: string): Promise<ProviderCorporateAction[]> {
    const instrument = findInstrument(symbol);
    if (!instrument) return [];
    const firstDay = Math.max(epochDayFromIsoDate(from), EARLIEST_DAY + 7);
    const lastDay = Math.min(epochDayFromIsoDate(to), epochDayOf(this.now()));
    const { dividendYield } = instrument.fundamentals;
    const series = this.seriesOf(instrument);
    const payer =
      instrument.type === 'CRYPTO' || !dividendYield
        ? null
        : {
            symbol: instrument.symbol,
            currency: instrument.currency,
            dividendYield,
            closeBefore: (day: number) => series.close(series.latestTradingDay(day - 1)),
          };
    return simulatedActions(instrument.symbol, payer, firstDay, lastDay, SIMULATED_SOURCE);
  }

  /** Exact ticker first, then ticker prefix (shortest first), then name contains; case-insensitive. */
  async search(query: string, limit: number): Promise<ProviderSymbol[]> {
    const ticker = normalizeSymbol(query);
    const text = query.trim().toLowerCase();
    if (text === '' || limit <= 0) return [];
    const ranked: Array<{ instrument: UniverseInstrument; rank: number; tieBreak: number }> = [];
    for (const instrument of UNIVERSE) {
      const namePosition = instrument.name.toLowerCase().indexOf(text);
      if (instrument.symbol === ticker) ranked.push({ instrument, rank: 0, tieBreak: 0 });
      else if (instrument.symbol.startsWith(ticker)) ranked.push({ instrument, rank: 1, tieBreak: instrument.symbol.length });
      else if (namePosition >= 0) ranked.push({ instrument, rank: 2, tieBreak: namePosition });
    }
    ranked.sort((a, b) => a.rank - b.rank || a.tieBreak - b.tieBreak || a.instrument.symbol.localeCompare(b.instrument.symbol));
    return ranked.slice(0, limit).map((r) => toProviderSymbol(r.instrument));
  }

  private nextQuote(instrument: UniverseInstrument, now: Date): ProviderQuote {
    const series = this.seriesOf(instrument);
    const anchorDay = series.latestTradingDay(epochDayOf(now));
    const anchorClose = series.close(anchorDay);
    const decimals = priceDecimals(anchorClose);
    const nowMs = now.getTime();

    let state = this.ticks.get(instrument.symbol);
    if (!state || state.anchorDay !== anchorDay) {
      state = { anchorDay, price: anchorClose, lastTickAt: nowMs - MIN_TICK_MS };
      this.ticks.set(instrument.symbol, state);
    }
    const elapsedMs = Math.min(Math.max(nowMs - state.lastTickAt, MIN_TICK_MS), MAX_TICK_MS);
    const yearMs = instrument.type === 'CRYPTO' ? CRYPTO_YEAR_MS : TRADING_YEAR_MS;
    const stepSigma = instrument.simulation.volatility * Math.sqrt(elapsedMs / yearMs);
    state.price *= Math.exp(stepSigma * standardNormal(this.tickRandom));
    state.lastTickAt = nowMs;

    const price = formatPrice(state.price, decimals);
    const previousClose = formatPrice(anchorClose, decimals);
    const change = new Decimal(price).minus(previousClose);
    return {
      symbol: instrument.symbol,
      price,
      change: formatPrice(change, decimals),
      changePercent: roundNumber(change.div(previousClose).times(100).toNumber(), 4),
      previousClose,
      currency: instrument.currency,
      timestamp: now,
      source: SIMULATED_SOURCE,
    };
  }

  private seriesOf(instrument: UniverseInstrument): DailySeries {
    let series = this.series.get(instrument.symbol);
    if (!series) {
      series = new DailySeries(instrument);
      this.series.set(instrument.symbol, series);
    }
    return series;
  }
}

/** One instrument's deterministic daily closes, memoised outward from the base day. */
class DailySeries {
  private readonly symbolHash: number;
  private readonly dailyDrift: number;
  private readonly dailySigma: number;
  private readonly tradesEveryDay: boolean;
  private readonly exposure: FactorExposure;
  /** forward[i]: close on BASE_DAY + i. */
  private readonly forward: number[];
  /** backward[i]: close on BASE_DAY - 1 - i. */
  private readonly backward: number[] = [];

  constructor(private readonly instrument: UniverseInstrument) {
    const { basePrice, drift, volatility, factorLoadings } = instrument.simulation;
    this.tradesEveryDay = instrument.type === 'CRYPTO';
    const dt = 1 / (this.tradesEveryDay ? 365 : 252);
    this.symbolHash = fnv1a32(instrument.symbol);
    this.dailyDrift = (drift - (volatility * volatility) / 2) * dt;
    this.dailySigma = volatility * Math.sqrt(dt);
    this.exposure = new FactorExposure(factorLoadings);
    this.forward = [basePrice];
  }

  isTradingDay(day: number): boolean {
    return this.tradesEveryDay || isWeekday(day);
  }

  latestTradingDay(onOrBefore: number): number {
    let day = onOrBefore;
    while (!this.isTradingDay(day)) day--;
    return day;
  }

  /** Close on any day; a non-trading day carries the previous trading day's close. */
  close(day: number): number {
    const offset = day - BASE_DAY;
    if (offset >= 0) {
      const forward = this.forward;
      while (forward.length <= offset) {
        forward.push(forward[forward.length - 1]! * Math.exp(this.logReturn(BASE_DAY + forward.length)));
      }
      return forward[offset]!;
    }
    const index = -offset - 1;
    const backward = this.backward;
    while (backward.length <= index) {
      const laterClose = backward.length === 0 ? this.forward[0]! : backward[backward.length - 1]!;
      backward.push(laterClose / Math.exp(this.logReturn(BASE_DAY - backward.length)));
    }
    return backward[index]!;
  }

  /** The full candle of a trading day; extra draws follow the return draw in the same stream. */
  candle(day: number): ProviderCandle {
    const random = this.randomFor(day);
    standardNormal(random); // the own part of the close's return, already in close(day)
    const previousClose = this.close(day - 1);
    const close = this.close(day);
    const sigma = this.dailySigma;
    // Exchange-listed assets gap overnight; crypto's day opens where the previous one closed.
    const gap = this.tradesEveryDay ? 0 : 0.3 * sigma * standardNormal(random);
    const open = previousClose * Math.exp(gap);
    const highRaw = Math.max(open, close) * Math.exp(0.5 * sigma * Math.abs(standardNormal(random)));
    const lowRaw = Math.min(open, close) * Math.exp(-0.5 * sigma * Math.abs(standardNormal(random)));

    // Rounding is monotonic, so low <= open, close <= high survives it.
    const decimals = priceDecimals(close);
    return {
      date: isoDateFromEpochDay(day),
      open: formatPrice(open, decimals),
      high: formatPrice(highRaw, decimals),
      low: formatPrice(lowRaw, decimals),
      close: formatPrice(close, decimals),
      volume: this.volume(random, Math.log(close / previousClose)),
    };
  }

  /** Around the average, higher on days that move more. */
  private volume(random: UniformRandom, logReturn: number): number | null {
    const average = this.instrument.simulation.averageVolume;
    if (average === null) return null;
    const surprise = Math.abs(logReturn) / this.dailySigma;
    return Math.round(average * Math.exp(0.25 * standardNormal(random) - 0.1) * (0.7 + 0.3 * surprise));
  }

  private logReturn(day: number): number {
    if (!this.isTradingDay(day)) return 0;
    return this.dailyDrift + this.dailySigma * this.exposure.standardShock(day, standardNormal(this.randomFor(day)));
  }

  private randomFor(day: number): UniformRandom {
    return mulberry32(mixSeed(this.symbolHash, day));
  }
}
