/** A portfolio's figures: performance, risk, allocation, rebalancing, holdings. */
import { badInput } from '../platform/errors.js';
import { COST, type RouteSpec } from './route.js';

const TARGET = /^([^:,]+):(-?\d+(?:\.\d+)?)$/;

/** `AAPL:0.6,MSFT:0.4` as TargetWeightInput values. */
function parseTargets(text: string): Array<{ key: string; weight: number }> {
  const parts = text.split(',').filter(Boolean);
  const targets = parts.map((part) => TARGET.exec(part.trim()));
  if (!parts.length || targets.some((t) => !t)) {
    throw badInput([{ field: 'targets', message: 'must be key:weight pairs separated by commas, e.g. AAPL:0.6,MSFT:0.4' }]);
  }
  return targets.map((t) => ({ key: t![1]!, weight: Number(t![2]) }));
}

export const ANALYTICS_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: '/portfolios/:id/analytics',
    area: 'analytics',
    summary: 'Performance: time- and money-weighted returns with the daily series',
    document: `query($id: ID!, $from: Date, $to: Date) { portfolio(id: $id) { performance(from: $from, to: $to) { from to timeWeightedReturn moneyWeightedReturn annualizedReturn series { date value cumulativeReturn } } } }`,
    result: ['portfolio', 'performance'],
    notFound: 'Portfolio',
    cost: COST.compute,
  },
  {
    method: 'GET',
    path: '/portfolios/:id/risk',
    area: 'analytics',
    summary: 'Risk figures (volatility, Sharpe, Sortino, beta, drawdown, VaR)',
    document: `query($id: ID!, $from: Date, $to: Date, $benchmark: String, $confidence: Float) { portfolio(id: $id) { risk(from: $from, to: $to, benchmark: $benchmark, confidence: $confidence) { from to observations benchmark volatility beta sharpeRatio sortinoRatio maxDrawdown valueAtRisk conditionalValueAtRisk parametricValueAtRisk riskFreeRate confidence } } }`,
    result: ['portfolio', 'risk'],
    notFound: 'Portfolio',
    cost: COST.compute,
  },
  {
    method: 'GET',
    path: '/portfolios/:id/allocation',
    area: 'analytics',
    summary: 'Allocation by SYMBOL (default), TYPE, SECTOR or CURRENCY',
    document: `query($id: ID!, $by: AllocationDimension! = SYMBOL) { portfolio(id: $id) { allocation(by: $by) { key value weight } } }`,
    result: ['portfolio', 'allocation'],
    notFound: 'Portfolio',
    cost: COST.compute,
  },
  {
    method: 'GET',
    path: '/portfolios/:id/rebalance',
    area: 'analytics',
    summary: 'Trades that bring the portfolio back to target weights',
    description: 'targets: key:weight pairs, e.g. `?targets=AAPL:0.6,MSFT:0.4` (keys in the `by` dimension).',
    document: `query($id: ID!, $targets: [TargetWeightInput!]!, $by: AllocationDimension, $driftTolerance: Float) { portfolio(id: $id) { rebalance(targets: $targets, by: $by, driftTolerance: $driftTolerance) { dimension driftBefore driftAfter driftTolerance netCash unreachable trades { symbol action quantity price value } } } }`,
    result: ['portfolio', 'rebalance'],
    notFound: 'Portfolio',
    queryText: {
      targets: {
        schema: { type: 'string', description: 'key:weight pairs separated by commas', examples: ['AAPL:0.6,MSFT:0.4'] },
        toVariable: parseTargets,
      },
    },
    cost: COST.compute,
  },
  {
    method: 'GET',
    path: '/portfolios/:id/holdings',
    area: 'analytics',
    summary: 'Open positions per symbol from the ledger, valued in the base currency',
    document: `query($id: ID!) { portfolio(id: $id) { holdings { symbol name currency quantity averageCost weight costBasis { amount currency } marketValue { amount currency } unrealizedGain { amount currency } } } }`,
    result: ['portfolio', 'holdings'],
    notFound: 'Portfolio',
    cost: COST.compute,
  },
];
