/**
 * Input rules of the analytics fields. Every problem is reported at once as BAD_USER_INPUT with
 * extensions.details [{ field, message }] (the `Problems` list of src/platform/errors.ts),
 * before any price is loaded. Symbols follow the investments' rule (trimmed, upper-cased,
 * well-formed); whether they are known is checked once the data is loaded.
 */
import { DEFAULT_DRIFT_TOLERANCE, isSimulationSizeAllowed, MAX_SIMULATION_CELLS, TARGET_SUM_TOLERANCE } from './core/index.js';
import { latestDateOnEarth } from '../platform/dates.js';
import { checkSymbol } from '../platform/symbols.js';
import type { AllocationDimension } from '../market/index.js';
import { badInput, Problems } from '../platform/errors.js';

/** Date range arguments as given (YYYY-MM-DD, already calendar-checked by the Date scalar). */
export interface RangeInput {
  from?: string | null;
  to?: string | null;
}

export const DEFAULT_CONFIDENCE = 0.95;
export const DEFAULT_BENCHMARK = 'SPY';
export const DEFAULT_FACTORS = ['SPY'];
export const MAX_FACTORS = 10;
export const MAX_TARGETS = 1_000;
/** Ten years of trading days: the bands of one simulation are a list this long. */
export const MAX_HORIZON_DAYS = 2_520;
/** Memory, not time, bounds the paths: two doubles per path and asset are kept. */
export const MAX_PATHS = 100_000;
export const DEFAULT_HORIZON_DAYS = 252;
export const DEFAULT_PATHS = 1_000;
export const DEFAULT_SEED = 1;

const ASSET_TYPES = new Set(['STOCK', 'ETF', 'BOND', 'CRYPTO', 'FUND', 'CASH', 'COMMODITY', 'REAL_ESTATE', 'OTHER']);

/**
 * From and to must be real dates that have begun somewhere on Earth (the bound purchases and
 * custom prices accept, src/ledger/validation.ts), from ≤ to. Defaults are applied later,
 * when the portfolio's first purchase is known (see resolveRange).
 */
export function checkRange(problems: Problems, input: RangeInput, now: Date): void {
  const latest = latestDateOnEarth(now);
  if (input.from != null && input.from > latest) problems.add('from', 'must not be in the future');
  if (input.to != null && input.to > latest) problems.add('to', 'must not be in the future');
  if (input.from != null && input.to != null && input.from > input.to) problems.add('from', `must be on or before to (${input.to})`);
}

/**
 * The range a report covers: `to` defaults to today (UTC; or `from` if that is later), `from` to
 * the portfolio's first purchase (or `to` when it has none, or bought only after `to`).
 */
export function resolveRange(input: RangeInput, firstPurchase: string | null, today: string): { from: string; to: string } {
  const to = input.to ?? (input.from != null && input.from > today ? input.from : today);
  const from = input.from ?? (firstPurchase !== null && firstPurchase < to ? firstPurchase : to);
  return { from, to };
}

export function checkConfidence(problems: Problems, confidence: number): void {
  if (!(Number.isFinite(confidence) && confidence > 0 && confidence < 1)) {
    problems.add('confidence', 'must be between 0 and 1 (exclusive), e.g. 0.95');
  }
}

export interface RiskInput extends RangeInput {
  confidence?: number | null;
  /** Undefined: the default benchmark; null: none. */
  benchmark?: string | null;
}

export interface CheckedRisk {
  confidence: number;
  benchmark: string | null;
}

export function checkedRisk(input: RiskInput, now: Date): CheckedRisk {
  const problems = new Problems();
  checkRange(problems, input, now);
  const confidence = input.confidence ?? DEFAULT_CONFIDENCE;
  checkConfidence(problems, confidence);
  const benchmark =
    input.benchmark === undefined
      ? DEFAULT_BENCHMARK
      : input.benchmark === null
        ? null
        : checkSymbol(problems, 'benchmark', input.benchmark);
  problems.throwIfAny();
  return { confidence, benchmark };
}

/** The range arguments alone (performance). */
export function checkedRange(input: RangeInput, now: Date): RangeInput {
  const problems = new Problems();
  checkRange(problems, input, now);
  problems.throwIfAny();
  return input;
}

export interface FactorInput extends RangeInput {
  factors?: readonly string[] | null;
}

/** 1 to MAX_FACTORS distinct factor symbols, normalised, in the order given. */
export function checkedFactors(input: FactorInput, now: Date): string[] {
  const problems = new Problems();
  checkRange(problems, input, now);
  const given = input.factors ?? DEFAULT_FACTORS;
  const factors: string[] = [];
  if (given.length === 0 || given.length > MAX_FACTORS)
    problems.add('factors', `give 1 to ${MAX_FACTORS} factor symbols (got ${given.length})`);
  else {
    given.forEach((value, i) => {
      const symbol = checkSymbol(problems, `factors[${i}]`, value);
      if (factors.includes(symbol)) problems.add(`factors[${i}]`, `${symbol} appears more than once`);
      factors.push(symbol);
    });
  }
  problems.throwIfAny();
  return factors;
}

export interface SimulationInput extends RangeInput {
  horizonDays?: number | null;
  paths?: number | null;
  seed?: number | null;
  confidence?: number | null;
}

export interface CheckedSimulation {
  horizonDays: number;
  paths: number;
  seed: number;
  confidence: number;
}

function checkCount(problems: Problems, field: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max)
    problems.add(field, `must be a whole number from 1 to ${max.toLocaleString('en-US')}`);
}

export function checkedSimulation(input: SimulationInput, now: Date): CheckedSimulation {
  const problems = new Problems();
  checkRange(problems, input, now);
  const horizonDays = input.horizonDays ?? DEFAULT_HORIZON_DAYS;
  const paths = input.paths ?? DEFAULT_PATHS;
  const confidence = input.confidence ?? DEFAULT_CONFIDENCE;
  checkCount(problems, 'horizonDays', horizonDays, MAX_HORIZON_DAYS);
  checkCount(problems, 'paths', paths, MAX_PATHS);
  checkConfidence(problems, confidence);
  problems.throwIfAny();
  return { horizonDays, paths, seed: input.seed ?? DEFAULT_SEED, confidence };
}

/** The core's bound on paths × horizonDays × assets, checked once the number of assets is known. */
export function checkSimulationSize({ paths, horizonDays }: CheckedSimulation, assets: number): void {
  if (isSimulationSizeAllowed(paths, horizonDays, Math.max(assets, 1))) return;
  const cells = paths * horizonDays * assets;
  throw badInput([
    {
      field: 'paths',
      message: `paths × horizonDays × holdings (${paths} × ${horizonDays} × ${assets} = ${cells.toLocaleString('en-US')}) must be at most ${MAX_SIMULATION_CELLS.toLocaleString('en-US')}; ask for fewer paths or a shorter horizon`,
    },
  ]);
}

export interface TargetInput {
  key: string;
  weight: number;
}

export interface RebalanceInput {
  targets: readonly TargetInput[];
  driftTolerance?: number | null;
  by?: AllocationDimension | null;
}

export interface CheckedRebalance {
  targets: TargetInput[];
  driftTolerance: number;
  by: AllocationDimension;
}

/** A target's key in the form the holdings' keys take for the dimension (see normalizeKey). */
function checkKey(problems: Problems, field: string, by: AllocationDimension, value: string): string {
  if (by === 'SYMBOL') return checkSymbol(problems, field, value);
  // Currencies keep their case: quotes in minor units are "GBp" and "ZAc", not "GBP".
  const key = by === 'TYPE' ? value.trim().toUpperCase() : value.trim();
  if (key === '') problems.add(field, 'must not be empty');
  else if (by === 'TYPE' && !ASSET_TYPES.has(key)) problems.add(field, `"${value}" is not an asset type (${[...ASSET_TYPES].join(', ')})`);
  else if (by === 'CURRENCY' && !/^[A-Za-z]{3}$/.test(key)) problems.add(field, 'must be a three-letter currency code');
  return key;
}

/**
 * Targets: each key once (after normalising: " aapl" and "AAPL" are the same symbol), each
 * weight from 0 to 1, the weights summing to 1 (± the core's TARGET_SUM_TOLERANCE); the drift
 * tolerance from 0 to below 1.
 */
export function checkedRebalance(input: RebalanceInput): CheckedRebalance {
  const problems = new Problems();
  const by = input.by ?? 'SYMBOL';
  const driftTolerance = input.driftTolerance ?? DEFAULT_DRIFT_TOLERANCE;
  if (!(Number.isFinite(driftTolerance) && driftTolerance >= 0 && driftTolerance < 1)) {
    problems.add('driftTolerance', 'must be at least 0 and below 1, e.g. 0.05');
  }
  if (input.targets.length === 0 || input.targets.length > MAX_TARGETS) {
    problems.add('targets', `give 1 to ${MAX_TARGETS} target weights (got ${input.targets.length})`);
    problems.throwIfAny();
  }
  const firstIndex = new Map<string, number>();
  let sum = 0;
  const targets = input.targets.map((target, i) => {
    const key = checkKey(problems, `targets[${i}].key`, by, target.key);
    const earlier = firstIndex.get(key);
    if (earlier !== undefined) problems.add(`targets[${i}].key`, `${key} appears more than once (also targets[${earlier}])`);
    else firstIndex.set(key, i);
    if (!(Number.isFinite(target.weight) && target.weight >= 0 && target.weight <= 1)) {
      problems.add(`targets[${i}].weight`, 'must be between 0 and 1');
    }
    sum += target.weight;
    return { key, weight: target.weight };
  });
  if (problems.empty && !(Math.abs(sum - 1) <= TARGET_SUM_TOLERANCE)) {
    problems.add('targets', `the weights must sum to 1 (they sum to ${Number(sum.toPrecision(12))})`);
  }
  problems.throwIfAny();
  return { targets, driftTolerance, by };
}
