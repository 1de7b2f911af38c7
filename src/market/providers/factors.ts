/**
 * The common factors behind simulated daily returns, so correlations, betas and diversification
 * in the demo look like a market rather than noise.
 *
 * A day's standardised return of an instrument is
 *   Σ_f loading_f × m_f(day) + sqrt(1 − systematic variance) × ε(symbol, day)
 * where each market factor m_f is a unit-variance blend of independent base shocks, each a standard
 * normal drawn from a hash of (shock name, date), and ε is the instrument's own normal. The total
 * is a standard normal again, so the configured volatility and drift keep their meaning.
 *
 * Equity, bond and gold shocks exist on weekdays only (the exchanges' trading days); crypto also
 * trades at the weekend, when only the crypto shock moves it and its own noise takes up the rest.
 */
import { isWeekday } from '../../platform/dates.js';
import { fnv1a32, mixSeed, mulberry32, standardNormal } from '../../platform/random.js';

/** Independent daily shocks; none is an instrument (symbols never contain ':'), so seeds stay apart. */
const BASE_SHOCKS = {
  globalEquity: { seed: fnv1a32('shock:global-equity'), everyDay: false },
  usEquity: { seed: fnv1a32('shock:us-equity'), everyDay: false },
  europeEquity: { seed: fnv1a32('shock:europe-equity'), everyDay: false },
  emergingEquity: { seed: fnv1a32('shock:emerging-equity'), everyDay: false },
  rates: { seed: fnv1a32('shock:rates'), everyDay: false },
  gold: { seed: fnv1a32('shock:gold'), everyDay: false },
  crypto: { seed: fnv1a32('shock:crypto'), everyDay: true },
} as const;

type BaseShock = keyof typeof BASE_SHOCKS;
type ShockWeights = Partial<Record<BaseShock, number>>;

/**
 * What instruments load on, as relative weights of base shocks (scaled to unit variance below).
 * Regional equity markets share the global shock (US and Europe correlate about 0.67); bonds lean
 * slightly against equities (about −0.2), as in a flight to safety.
 */
const MARKET_FACTOR_BLENDS = {
  usEquity: { globalEquity: 0.9, usEquity: 0.44 },
  europeEquity: { globalEquity: 0.75, europeEquity: 0.66 },
  emergingEquity: { globalEquity: 0.65, emergingEquity: 0.76 },
  bonds: { rates: 1, globalEquity: -0.2 },
  gold: { gold: 1 },
  crypto: { crypto: 1 },
} as const satisfies Record<string, ShockWeights>;

export type MarketFactor = keyof typeof MARKET_FACTOR_BLENDS;

/** An instrument's loadings on market factors; a lone loading is its correlation with that factor (0.7 on usEquity: 0.7). */
export type FactorLoadings = Partial<Record<MarketFactor, number>>;

const UNIT_MARKET_FACTORS = Object.fromEntries(
  Object.entries(MARKET_FACTOR_BLENDS).map(([factor, blend]) => {
    const norm = Math.hypot(...Object.values(blend));
    const unit = Object.fromEntries(Object.entries(blend).map(([shock, weight]) => [shock, weight / norm]));
    return [factor, unit as ShockWeights];
  }),
) as Record<MarketFactor, ShockWeights>;

interface DayExposure {
  shocks: Array<{ seed: number; weight: number }>;
  /** Weight of the instrument's own normal: what is left of a unit variance. */
  idiosyncratic: number;
}

/** One instrument's exposure to the base shocks, resolved once per series. */
export class FactorExposure {
  private readonly weekday: DayExposure;
  private readonly weekend: DayExposure;

  /** Throws a RangeError when the loadings explain more than the whole variance. */
  constructor(loadings: FactorLoadings) {
    const weights: ShockWeights = {};
    for (const [factor, loading] of Object.entries(loadings) as Array<[MarketFactor, number]>) {
      for (const [shock, weight] of Object.entries(UNIT_MARKET_FACTORS[factor]) as Array<[BaseShock, number]>) {
        weights[shock] = (weights[shock] ?? 0) + loading * weight;
      }
    }
    this.weekday = dayExposure(weights, () => true);
    this.weekend = dayExposure(weights, (shock) => BASE_SHOCKS[shock].everyDay);
  }

  /** The day's standard-normal return driver, given the instrument's own normal for that day. */
  standardShock(day: number, ownNormal: number): number {
    const exposure = isWeekday(day) ? this.weekday : this.weekend;
    let shock = exposure.idiosyncratic * ownNormal;
    for (const { seed, weight } of exposure.shocks) shock += weight * standardNormal(mulberry32(mixSeed(seed, day)));
    return shock;
  }
}

function dayExposure(weights: ShockWeights, moves: (shock: BaseShock) => boolean): DayExposure {
  const shocks: DayExposure['shocks'] = [];
  let systematicVariance = 0;
  for (const [shock, weight] of Object.entries(weights) as Array<[BaseShock, number]>) {
    if (weight === 0 || !moves(shock)) continue;
    shocks.push({ seed: BASE_SHOCKS[shock].seed, weight });
    systematicVariance += weight * weight;
  }
  // A hair over 1 is rounding (a loading of exactly 1); more is a data error.
  if (systematicVariance > 1 + 1e-9) {
    throw new RangeError(`factor loadings explain more than the whole variance: ${JSON.stringify(weights)}`);
  }
  return { shocks, idiosyncratic: Math.sqrt(Math.max(1 - systematicVariance, 0)) };
}
