/**
 * Analytics in GraphQL: the Portfolio fields performance, risk, rebalance, simulation and
 * factorExposure, and their types. Figures follow the contract's "Analytics conventions"
 * (shared/contract/README.md): fractions, simple daily returns, 252 periods a year, null (never
 * NaN) when there is not enough data.
 *
 * Access: these are fields of Portfolio, whose type-level `portfolioRole` scope (PUBLIC and up,
 * src/portfolios/portfolio.schema.ts) guards every field however the portfolio is reached: anyone who can
 * read the portfolio (owner, ADMIN, EDIT, VIEW, a signed-in reader of a public one) can read its
 * analytics; for anyone else `portfolio(id)` is null. Custom assets are priced as the owner's.
 */
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { budgetSubject } from '../platform/request-budget.js';
import type { ComputeCaller } from './compute.js';
import { AllocationDimensionEnum, requestQuoteLookup } from '../market/index.js';
import { PortfolioRef } from '../portfolios/index.js';
import { DEFAULT_BENCHMARK, DEFAULT_CONFIDENCE, DEFAULT_FACTORS, DEFAULT_HORIZON_DAYS, DEFAULT_PATHS, DEFAULT_SEED } from './inputs.js';
import { DEFAULT_DRIFT_TOLERANCE } from './core/index.js';
import type {
  FactorBeta,
  FactorExposureReport,
  PerformancePoint,
  PerformanceReport,
  RiskReport,
  SimulationDay,
  SimulationReport,
} from './reports.js';
import type { RebalanceReport, RebalanceTradeReport } from './rebalance-report.js';
import type { CorrelationPair } from './core/index.js';

// ---------------------------------------------------------------------------------- types

const PerformancePointRef = builder.objectRef<PerformancePoint>('PerformancePoint').implement({
  fields: (t) => ({
    date: t.field({ type: 'Date', nullable: false, resolve: (p) => p.date }),
    value: t.field({
      type: 'Decimal',
      nullable: false,
      description:
        "V_t in the portfolio's base currency: Σ quantity × close × the day's FX rate of what is held that day, plus cash when the ledger tracks it.",
      resolve: (p) => p.value,
    }),
    cumulativeReturn: t.exposeFloat('cumulativeReturn', {
      nullable: false,
      description: 'Time-weighted return from the first point to this one.',
    }),
  }),
});

const PerformanceRef = builder.objectRef<PerformanceReport>('Performance').implement({
  description: 'Return figures as fractions (0.05 = 5 %). Conventions: shared/contract/README.md.',
  fields: (t) => ({
    from: t.field({ type: 'Date', nullable: false, resolve: (r) => r.from }),
    to: t.field({ type: 'Date', nullable: false, resolve: (r) => r.to }),
    timeWeightedReturn: t.exposeFloat('timeWeightedReturn', {
      nullable: true,
      description:
        "Π(1 + r_t) − 1 with r_t = (V_t + O_t) / (V_{t−1} + I_t) − 1 (Portfolio Performance's convention: inflows at the start of the day, outflows at its end; docs/analytics.md); null without a return.",
    }),
    moneyWeightedReturn: t.exposeFloat('moneyWeightedReturn', {
      nullable: true,
      description:
        'Annual XIRR (actual/365) of the flows on their own dates: the value held at the start and the inflows money in, outflows and the end value money out. An annual rate: over a few days it compounds their gain to a year (see moneyWeightedReturnPeriod and moneyWeightedReturnDays).',
    }),
    moneyWeightedReturnPeriod: t.exposeFloat('moneyWeightedReturnPeriod', {
      nullable: true,
      description:
        'The money-weighted return over the range itself, not annualised: (1 + moneyWeightedReturn)^(moneyWeightedReturnDays / 365) − 1. Read it rather than the annual rate for ranges shorter than a year.',
    }),
    moneyWeightedReturnDays: t.exposeInt('moneyWeightedReturnDays', {
      nullable: true,
      description:
        'Calendar days from the first to the last valued day, over which the money-weighted return runs: below 365, moneyWeightedReturn extrapolates to a year.',
    }),
    annualizedReturn: t.exposeFloat('annualizedReturn', { nullable: true, description: '(1 + TWR)^(365 / calendar days) − 1.' }),
    series: t.field({ type: [PerformancePointRef], nullable: false, description: 'One point per valued day.', resolve: (r) => r.series }),
  }),
});

const CorrelationEntryRef = builder.objectRef<CorrelationPair>('CorrelationEntry').implement({
  fields: (t) => ({
    a: t.exposeString('a', { nullable: false }),
    b: t.exposeString('b', { nullable: false }),
    coefficient: t.exposeFloat('coefficient', { nullable: false }),
  }),
});

const RiskReportRef = builder.objectRef<RiskReport>('RiskReport').implement({
  description: 'Risk of the daily returns (purchases excluded) over the range; fractions, one-day VaRs.',
  fields: (t) => ({
    from: t.field({ type: 'Date', nullable: false, resolve: (r) => r.from }),
    to: t.field({ type: 'Date', nullable: false, resolve: (r) => r.to }),
    observations: t.exposeInt('observations', { nullable: false, description: 'Daily returns the figures are computed from.' }),
    volatility: t.exposeFloat('volatility', { nullable: true, description: 'std(r, ddof=1) × √252.' }),
    sharpeRatio: t.exposeFloat('sharpeRatio', { nullable: true }),
    sortinoRatio: t.exposeFloat('sortinoRatio', { nullable: true }),
    beta: t.exposeFloat('beta', { nullable: true, description: 'Against the benchmark on the days both have returns; null without one.' }),
    maxDrawdown: t.exposeFloat('maxDrawdown', { nullable: true, description: 'Largest fall of Π(1 + r_t) from a running peak, positive.' }),
    valueAtRisk: t.exposeFloat('valueAtRisk', { nullable: true, description: 'Historical: −quantile(r, 1 − confidence).' }),
    conditionalValueAtRisk: t.exposeFloat('conditionalValueAtRisk', {
      nullable: true,
      description: 'Historical: −mean of the returns at or below that quantile.',
    }),
    parametricValueAtRisk: t.exposeFloat('parametricValueAtRisk', {
      nullable: true,
      description: 'Normal: −(mean + z_(1 − confidence) × std(r, ddof=1)).',
    }),
    confidence: t.exposeFloat('confidence', { nullable: false }),
    benchmark: t.exposeString('benchmark', { nullable: true, description: 'The symbol beta is measured against; null for none.' }),
    riskFreeRate: t.exposeFloat('riskFreeRate', { nullable: false, description: 'Annual; rf/252 a day in the ratios.' }),
    correlations: t.field({
      type: [CorrelationEntryRef],
      nullable: false,
      description:
        "Pearson correlation of each pair of held symbols' daily returns on their common days (a symbol that never moves has none).",
      resolve: (r) => r.correlations,
    }),
  }),
});

export const TargetWeightInputRef = builder.inputType('TargetWeightInput', {
  fields: (t) => ({
    key: t.string({ required: true, description: 'A symbol, asset type, sector or currency, as `by` says.' }),
    weight: t.float({ required: true, description: 'Fraction of the total value, 0 to 1; the weights sum to 1.' }),
  }),
});

const RebalanceTradeRef = builder.objectRef<RebalanceTradeReport>('RebalanceTrade').implement({
  fields: (t) => ({
    symbol: t.exposeString('symbol', { nullable: false }),
    action: t.exposeString('action', { nullable: false, description: 'BUY or SELL.' }),
    quantity: t.field({
      type: 'Decimal',
      nullable: false,
      description: 'Whole units for exchange-listed stocks, ETFs and bonds; fractions (8 decimals) for crypto, funds and unlisted assets.',
      resolve: (trade) => trade.quantity,
    }),
    price: t.field({ type: 'Decimal', nullable: false, description: 'The current price the plan uses.', resolve: (trade) => trade.price }),
    value: t.field({ type: 'Decimal', nullable: false, description: 'quantity × price.', resolve: (trade) => trade.value }),
  }),
});

const RebalancePlanRef = builder.objectRef<RebalanceReport>('RebalancePlan').implement({
  description:
    'Trades bringing every key within driftTolerance of its target at current prices (a holding without a quote at its purchase price), trading as few keys as it can. Sells first.',
  fields: (t) => ({
    dimension: t.expose('dimension', { type: AllocationDimensionEnum, nullable: false }),
    driftTolerance: t.exposeFloat('driftTolerance', { nullable: false }),
    trades: t.field({ type: [RebalanceTradeRef], nullable: false, resolve: (plan) => plan.trades }),
    driftBefore: t.exposeFloat('driftBefore', { nullable: false, description: 'Largest |weight − target| over the keys (no target: 0).' }),
    driftAfter: t.exposeFloat('driftAfter', { nullable: false, description: 'The same after the trades.' }),
    unreachable: t.exposeStringList('unreachable', { nullable: false, description: 'Keys with a positive target and no holding to buy.' }),
    netCash: t.field({
      type: 'Decimal',
      nullable: false,
      description: 'Σ sells − Σ buys: not exactly 0 only because whole units are rounded.',
      resolve: (plan) => plan.netCash,
    }),
  }),
});

const SimulationBandRef = builder.objectRef<SimulationDay>('SimulationBand').implement({
  description: "Percentiles of the simulated portfolio value at one day's close.",
  fields: (t) => ({
    day: t.exposeInt('day', { nullable: false, description: 'Trading days from now, 1 to horizonDays.' }),
    p5: t.field({ type: 'Decimal', nullable: false, resolve: (b) => b.p5 }),
    p25: t.field({ type: 'Decimal', nullable: false, resolve: (b) => b.p25 }),
    p50: t.field({ type: 'Decimal', nullable: false, resolve: (b) => b.p50 }),
    p75: t.field({ type: 'Decimal', nullable: false, resolve: (b) => b.p75 }),
    p95: t.field({ type: 'Decimal', nullable: false, resolve: (b) => b.p95 }),
  }),
});

const MonteCarloSimulationRef = builder.objectRef<SimulationReport>('MonteCarloSimulation').implement({
  description:
    "Simulated portfolio value: each held symbol compounds correlated normal daily returns with the mean and covariance of the symbols' history over from..to. Same seed and data, same result.",
  fields: (t) => ({
    from: t.field({ type: 'Date', nullable: false, resolve: (r) => r.from }),
    to: t.field({ type: 'Date', nullable: false, resolve: (r) => r.to }),
    horizonDays: t.exposeInt('horizonDays', { nullable: false }),
    paths: t.exposeInt('paths', { nullable: false }),
    seed: t.exposeInt('seed', { nullable: false }),
    confidence: t.exposeFloat('confidence', { nullable: false }),
    symbols: t.exposeStringList('symbols', { nullable: false, description: 'The held symbols simulated (those with prices).' }),
    observations: t.exposeInt('observations', { nullable: false, description: 'Days of common history the returns were estimated from.' }),
    startValue: t.field({
      type: 'Decimal',
      nullable: false,
      description: 'What is held, at the last closes of the range.',
      resolve: (r) => r.startValue,
    }),
    expectedValue: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'Mean simulated value at the horizon; null without two days of history.',
      resolve: (r) => r.expectedValue,
    }),
    valueAtRisk: t.exposeFloat('valueAtRisk', {
      nullable: true,
      description: 'Loss at the horizon not exceeded with the given confidence, as a fraction of startValue.',
    }),
    bands: t.field({ type: [SimulationBandRef], nullable: false, description: 'One per day of the horizon.', resolve: (r) => r.bands }),
  }),
});

const FactorBetaRef = builder.objectRef<FactorBeta>('FactorBeta').implement({
  fields: (t) => ({
    factor: t.exposeString('factor', { nullable: false }),
    beta: t.exposeFloat('beta', { nullable: false }),
  }),
});

const FactorExposureRef = builder.objectRef<FactorExposureReport>('FactorExposure').implement({
  description: "OLS of the portfolio's daily returns on the factors' daily returns, on the days all have: r = alpha + Σ beta_k f_k + e.",
  fields: (t) => ({
    from: t.field({ type: 'Date', nullable: false, resolve: (r) => r.from }),
    to: t.field({ type: 'Date', nullable: false, resolve: (r) => r.to }),
    observations: t.exposeInt('observations', { nullable: false }),
    alpha: t.exposeFloat('alpha', { nullable: true, description: 'Daily; null when the regression is under-determined.' }),
    annualizedAlpha: t.exposeFloat('annualizedAlpha', { nullable: true, description: 'alpha × 252.' }),
    rSquared: t.exposeFloat('rSquared', { nullable: true }),
    betas: t.field({
      type: [FactorBetaRef],
      nullable: false,
      description: 'One per factor, in the order asked; [] when alpha is null.',
      resolve: (r) => r.betas,
    }),
  }),
});

// ---------------------------------------------------------------------------------- Portfolio fields

/** The request's caller, whose budget and concurrency a computation counts against (./compute.ts). */
function computeCaller(ctx: Context): ComputeCaller {
  return { subject: budgetSubject(ctx.viewer, ctx.ip) };
}

const RANGE_DESCRIPTION = 'from defaults to the first purchase, to to today (UTC); neither in the future, from ≤ to.';

builder.prismaObjectFields(PortfolioRef, (t) => ({
  performance: t.field({
    type: PerformanceRef,
    nullable: false,
    description: `Returns over from..to. ${RANGE_DESCRIPTION}`,
    args: { from: t.arg({ type: 'Date' }), to: t.arg({ type: 'Date' }) },
    resolve: (portfolio, args, ctx) => ctx.services.analytics.performance(portfolio.id, args, computeCaller(ctx)),
  }),

  risk: t.field({
    type: RiskReportRef,
    nullable: false,
    description: `Risk over from..to. ${RANGE_DESCRIPTION}`,
    args: {
      from: t.arg({ type: 'Date' }),
      to: t.arg({ type: 'Date' }),
      confidence: t.arg.float({ defaultValue: DEFAULT_CONFIDENCE, description: 'Of the VaRs, between 0 and 1 (exclusive).' }),
      benchmark: t.arg.string({
        defaultValue: DEFAULT_BENCHMARK,
        description:
          'What beta is measured against: any symbol the caller can quote (a market symbol, a held one, or a custom asset of their own); null for none.',
      }),
    },
    resolve: (portfolio, args, ctx) => ctx.services.analytics.risk(portfolio.id, args, ctx.viewer?.userId ?? null, computeCaller(ctx)),
  }),

  rebalance: t.field({
    type: RebalancePlanRef,
    nullable: false,
    description: 'Trades toward target weights by symbol, asset type, sector or currency (weights 0 to 1, summing to 1, each key once).',
    args: {
      targets: t.arg({ type: [TargetWeightInputRef], required: true }),
      driftTolerance: t.arg.float({
        defaultValue: DEFAULT_DRIFT_TOLERANCE,
        description: 'Largest accepted |weight − target|, 0 to below 1.',
      }),
      by: t.arg({ type: AllocationDimensionEnum, defaultValue: 'SYMBOL' }),
    },
    resolve: (portfolio, args, ctx) => ctx.services.analytics.rebalance(portfolio.id, args, requestQuoteLookup(ctx)),
  }),

  simulation: t.field({
    type: MonteCarloSimulationRef,
    nullable: false,
    description: `Monte Carlo of the portfolio value over horizonDays trading days, calibrated on the daily returns of from..to. ${RANGE_DESCRIPTION} paths × horizonDays × holdings is bounded; one simulation per query.`,
    args: {
      horizonDays: t.arg.int({ defaultValue: DEFAULT_HORIZON_DAYS }),
      paths: t.arg.int({ defaultValue: DEFAULT_PATHS }),
      seed: t.arg.int({ defaultValue: DEFAULT_SEED, description: 'Same seed and data, same result.' }),
      confidence: t.arg.float({ defaultValue: DEFAULT_CONFIDENCE, description: 'Of valueAtRisk, between 0 and 1 (exclusive).' }),
      from: t.arg({ type: 'Date' }),
      to: t.arg({ type: 'Date' }),
    },
    // Over half the query budget: a query can hold one simulation, never two (nor a list of them).
    complexity: (_args, ctx) => Math.floor(ctx.services.config.QUERY_MAX_COMPLEXITY / 2) + 1,
    resolve: (portfolio, args, ctx) => ctx.services.analytics.simulation(portfolio.id, args, computeCaller(ctx)),
  }),

  factorExposure: t.field({
    type: FactorExposureRef,
    nullable: false,
    description: `Exposure of the daily returns to factor symbols' daily returns (1 to 10; any symbol the caller can quote), over from..to. ${RANGE_DESCRIPTION}`,
    args: {
      factors: t.arg.stringList({ required: true, defaultValue: DEFAULT_FACTORS }),
      from: t.arg({ type: 'Date' }),
      to: t.arg({ type: 'Date' }),
    },
    resolve: (portfolio, args, ctx) =>
      ctx.services.analytics.factorExposure(portfolio.id, args, ctx.viewer?.userId ?? null, computeCaller(ctx)),
  }),
}));
