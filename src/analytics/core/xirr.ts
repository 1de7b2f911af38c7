import { dayNumber } from './dates.js';
import type { ValuationSeries } from './valuation.js';

/** A dated cash flow from the investor's side: money in is negative, money out positive. */
export interface CashFlow {
  date: string;
  amount: number;
}

const DAYS_PER_YEAR = 365;
/** Continuous annual rates g = ln(1 + r) probed for a sign change, nearest to 0 first. */
const BRACKET_GRID = [0, 0.05, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 300, 700];
const MAX_ITERATIONS = 200;

/**
 * Annual internal rate of return r with Σ amount_i (1 + r)^(−(d_i − d_0)/365) = 0 (actual/365).
 *
 * Solved for g = ln(1 + r), so every r > −1 is reachable and nothing overflows: the sum is scaled
 * by a positive factor that keeps every exponent ≤ 0. Brackets the root nearest to g = 0 on a
 * grid, then Newton steps kept inside the bracket (bisection when a step leaves it).
 * Null without a sign change to bracket (e.g. all flows of one sign, or all on one day).
 */
export function xirr(flows: readonly CashFlow[]): number | null {
  if (flows.length < 2) return null;
  const firstDay = Math.min(...flows.map((flow) => dayNumber(flow.date)));
  const years = new Float64Array(flows.length);
  const amounts = new Float64Array(flows.length);
  let lastYear = 0;
  flows.forEach((flow, i) => {
    years[i] = (dayNumber(flow.date) - firstDay) / DAYS_PER_YEAR;
    amounts[i] = flow.amount;
    lastYear = Math.max(lastYear, years[i] as number);
  });
  if (lastYear === 0) return null;

  // Scaled NPV h(g) = e^{g·t_ref} Σ a_i e^{−g t_i} (same sign and roots as the NPV) and h'(g).
  const evaluate = (g: number): { value: number; slope: number } => {
    const reference = g < 0 ? lastYear : 0;
    let value = 0;
    let slope = 0;
    for (let i = 0; i < amounts.length; i++) {
      const shifted = (years[i] as number) - reference;
      const term = (amounts[i] as number) * Math.exp(-g * shifted);
      value += term;
      slope -= shifted * term;
    }
    return { value, slope };
  };

  const bracket = findBracket((g) => evaluate(g).value);
  if (!bracket) return null;
  let [low, high] = bracket;
  let lowValue = evaluate(low).value;
  if (lowValue === 0) return Math.expm1(low);

  let g = 0.5 * (low + high);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const { value, slope } = evaluate(g);
    if (value === 0) break;
    // Shrink the bracket around the sign change.
    if (Math.sign(value) === Math.sign(lowValue)) {
      low = g;
      lowValue = value;
    } else high = g;
    const newton = g - value / slope;
    const next = newton > Math.min(low, high) && newton < Math.max(low, high) ? newton : 0.5 * (low + high);
    const done = Math.abs(next - g) <= 1e-15 * Math.max(1, Math.abs(g));
    g = next;
    if (done) break;
  }
  const rate = Math.expm1(g);
  return Number.isFinite(rate) ? rate : null;
}

/** The bracket [a, b] (in g) with a sign change nearest to g = 0, probing outwards. */
function findBracket(npv: (g: number) => number): [number, number] | null {
  let previousPositive = 0;
  let previousNegative = 0;
  const atZero = npv(0);
  if (atZero === 0) return [0, 0];
  let valuePositive = atZero;
  let valueNegative = atZero;
  for (let k = 1; k < BRACKET_GRID.length; k++) {
    const step = BRACKET_GRID[k] as number;
    const positive = npv(step);
    if (positive === 0 || Math.sign(positive) !== Math.sign(valuePositive)) return [previousPositive, step];
    const negative = npv(-step);
    if (negative === 0 || Math.sign(negative) !== Math.sign(valueNegative)) return [-step, previousNegative];
    previousPositive = step;
    valuePositive = positive;
    previousNegative = -step;
    valueNegative = negative;
  }
  return null;
}

/**
 * Money-weighted return (annual XIRR, actual/365) of a valuation over its range, every flow on its
 * own date: the start value (what was held before the range) and every inflow are money in
 * (negative), every outflow and the last value are money out (positive).
 */
export function moneyWeightedReturn(series: ValuationSeries): number | null {
  const dayCount = series.dates.length;
  if (dayCount === 0) return null;
  const flows: CashFlow[] = [];
  if (series.startValue > 0) flows.push({ date: series.dates[0] as string, amount: -series.startValue });
  for (let t = 0; t < dayCount; t++) {
    const date = series.dates[t] as string;
    const inflow = series.inflows[t] as number;
    const outflow = series.outflows[t] as number;
    if (inflow !== 0) flows.push({ date, amount: -inflow });
    if (outflow !== 0) flows.push({ date, amount: outflow });
  }
  const end = series.values[dayCount - 1] as number;
  if (end !== 0) flows.push({ date: series.dates[dayCount - 1] as string, amount: end });
  return xirr(flows);
}
