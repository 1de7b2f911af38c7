/** Rebalancing toward target weights per key (symbol, type, sector or currency), within a tolerance band. */

export interface RebalanceHolding {
  symbol: string;
  /** The holding's value of the chosen dimension (its symbol, type, sector or currency). */
  key: string;
  price: number;
  quantity: number;
  /** True when any fraction of a unit can be traded (crypto, funds); false for whole units only. */
  fractional: boolean;
}

export interface TargetWeight {
  key: string;
  weight: number;
}

export interface RebalanceInput {
  holdings: readonly RebalanceHolding[];
  targets: readonly TargetWeight[];
  /** Largest accepted |weight − target| per key, as an absolute weight; default 0.05. */
  driftTolerance?: number;
}

export interface RebalanceTrade {
  symbol: string;
  action: 'BUY' | 'SELL';
  quantity: number;
  /** quantity × price. */
  value: number;
}

export interface RebalancePlan {
  /** Sells first (they fund the buys), then buys. */
  trades: RebalanceTrade[];
  /** Drift = max over keys of |weight − target| (keys without a target have target 0). */
  driftBefore: number;
  driftAfter: number;
  /** Keys with a positive target but no holding: there is no symbol to buy for them. */
  unreachable: string[];
  /** Σ sells − Σ buys: not exactly 0 only because whole units are rounded. Cash is not modelled. */
  netCash: number;
}

/** Invalid rebalancing input, with a message meant for the user (BAD_USER_INPUT). */
export class RebalanceInputError extends Error {
  override name = 'RebalanceInputError';
}

export const DEFAULT_DRIFT_TOLERANCE = 0.05;
/** How far the target weights may sum from 1. */
export const TARGET_SUM_TOLERANCE = 1e-6;
/** Fractional quantities are rounded to this many decimals (crypto's usual precision). */
export const FRACTIONAL_QUANTITY_DECIMALS = 8;

interface KeyState {
  key: string;
  target: number;
  holdings: RebalanceHolding[];
  value: number;
  weight: number;
  /** The band the key's weight must end in: [max(0, target − tolerance), target + tolerance]. */
  low: number;
  high: number;
}

/**
 * Plans the trades that bring every key's weight within driftTolerance of its target, trading as
 * few keys and holdings as it can:
 *
 * 1. Only keys outside their band are traded. If they cannot be settled among themselves (what
 *    they sell must equal what they buy, e.g. one overweight key and the underweight spread over
 *    keys still in band), the in-band key with the most room in the needed direction joins them,
 *    one at a time, until it works.
 * 2. Each traded key ends at target + λ, clamped into its band, with one λ shared by all of them
 *    so sells equal buys (λ = 0 when they balance exactly). When even all tradable keys cannot
 *    balance (unreachable targets), the bands are dropped and the remaining weight is spread.
 * 3. Within a key, a buy goes to its largest holding; a sell comes from its largest holdings, as
 *    few as cover it. Whole-unit holdings trade the nearest whole number of units.
 *
 * Throws RebalanceInputError when targets do not sum to 1 (± TARGET_SUM_TOLERANCE), repeat a key,
 * or have a negative weight, when the tolerance is outside [0, 1), or a holding has a non-positive price.
 */
export function planRebalance(input: RebalanceInput): RebalancePlan {
  const tolerance = input.driftTolerance ?? DEFAULT_DRIFT_TOLERANCE;
  validate(input, tolerance);
  const holdings = mergeBySymbol(input.holdings);

  const keys = new Map<string, KeyState>();
  const keyState = (key: string): KeyState => {
    let state = keys.get(key);
    if (!state) {
      state = { key, target: 0, holdings: [], value: 0, weight: 0, low: 0, high: 0 };
      keys.set(key, state);
    }
    return state;
  };
  for (const { key, weight } of input.targets) keyState(key).target = weight;
  let total = 0;
  for (const holding of holdings) {
    const state = keyState(holding.key);
    state.holdings.push(holding);
    state.value += holding.quantity * holding.price;
    total += holding.quantity * holding.price;
  }
  for (const state of keys.values()) {
    state.weight = total > 0 ? state.value / total : 0;
    state.low = Math.max(0, state.target - tolerance);
    state.high = state.target + tolerance;
  }

  const all = [...keys.values()];
  const unreachable = all.filter((state) => state.holdings.length === 0 && state.target > 0).map((state) => state.key);
  const driftBefore = drift(all, (state) => state.weight);
  const noTrades = { trades: [], driftBefore, driftAfter: driftBefore, unreachable, netCash: 0 };
  if (total <= 0) return noTrades; // nothing to sell, so nothing can be bought

  const tradable = all.filter((state) => state.holdings.length > 0);
  const traded = tradable.filter((state) => Math.abs(state.weight - state.target) > tolerance);
  if (traded.length === 0) return noTrades;

  const endWeights = settle(traded, tradable);
  const trades: RebalanceTrade[] = [];
  const valueChange = new Map<KeyState, number>();
  for (const state of traded) {
    const keyTrades = tradeKey(state, ((endWeights.get(state) as number) - state.weight) * total);
    let change = 0;
    for (const trade of keyTrades) change += trade.action === 'BUY' ? trade.value : -trade.value;
    valueChange.set(state, change);
    trades.push(...keyTrades);
  }
  trades.sort((a, b) => (a.action === b.action ? 0 : a.action === 'SELL' ? -1 : 1));

  let netCash = 0;
  for (const change of valueChange.values()) netCash -= change;
  const totalAfter = total - netCash;
  const driftAfter = drift(all, (state) => (state.value + (valueChange.get(state) ?? 0)) / totalAfter);
  return { trades, driftBefore, driftAfter, unreachable, netCash };
}

/** End weight of each traded key (step 1 and 2 above); adds keys to `traded` as needed. */
function settle(traded: KeyState[], tradable: readonly KeyState[]): Map<KeyState, number> {
  const sum = (states: readonly KeyState[], of: (state: KeyState) => number): number => states.reduce((acc, state) => acc + of(state), 0);
  let bounded = true;
  for (;;) {
    const weight = sum(traded, (state) => state.weight);
    const tooMuch = weight > sum(traded, (state) => state.high);
    const tooLittle = weight < sum(traded, (state) => state.low);
    if (!tooMuch && !tooLittle) break;
    const room = (state: KeyState): number => (tooMuch ? state.high - state.weight : state.weight - state.low);
    const candidates = tradable.filter((state) => !traded.includes(state));
    if (candidates.length === 0) {
      bounded = false;
      break;
    }
    traded.push(candidates.reduce((best, state) => (room(state) > room(best) ? state : best)));
  }

  const low = (state: KeyState): number => (bounded ? state.low : 0);
  const high = (state: KeyState): number => (bounded ? state.high : 1);
  const endWeight = (state: KeyState, shift: number): number => Math.min(high(state), Math.max(low(state), state.target + shift));
  const weight = sum(traded, (state) => state.weight);
  // Σ endWeight(shift) is non-decreasing in shift: bisect for the shift that matches `weight`.
  let below = -1;
  let above = 1;
  for (let iteration = 0; iteration < 100; iteration++) {
    const shift = 0.5 * (below + above);
    if (sum(traded, (state) => endWeight(state, shift)) < weight) below = shift;
    else above = shift;
  }
  const shift = 0.5 * (below + above);
  return new Map(traded.map((state) => [state, endWeight(state, shift)]));
}

/** Trades moving `valueChange` into (positive) or out of (negative) one key. */
function tradeKey(state: KeyState, valueChange: number): RebalanceTrade[] {
  const largestFirst = [...state.holdings].sort(
    (a, b) => b.quantity * b.price - a.quantity * a.price || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0),
  );
  const trades: RebalanceTrade[] = [];
  if (valueChange > 0) {
    const holding = largestFirst[0] as RebalanceHolding;
    const quantity = roundQuantity(valueChange / holding.price, holding.fractional);
    if (quantity > 0) trades.push({ symbol: holding.symbol, action: 'BUY', quantity, value: quantity * holding.price });
    return trades;
  }
  let remaining = -valueChange;
  for (const holding of largestFirst) {
    if (remaining <= 0) break;
    const quantity = Math.min(holding.quantity, roundQuantity(remaining / holding.price, holding.fractional));
    if (quantity <= 0) continue;
    trades.push({ symbol: holding.symbol, action: 'SELL', quantity, value: quantity * holding.price });
    remaining -= quantity * holding.price;
  }
  return trades;
}

function roundQuantity(quantity: number, fractional: boolean): number {
  if (!fractional) return Math.round(quantity);
  const scale = 10 ** FRACTIONAL_QUANTITY_DECIMALS;
  return Math.round(quantity * scale) / scale;
}

function drift(states: readonly KeyState[], weightOf: (state: KeyState) => number): number {
  let largest = 0;
  for (const state of states) largest = Math.max(largest, Math.abs(weightOf(state) - state.target));
  return largest;
}

/** One entry per symbol: lots of the same symbol add up (key, price and fractional from the first). */
function mergeBySymbol(holdings: readonly RebalanceHolding[]): RebalanceHolding[] {
  const bySymbol = new Map<string, RebalanceHolding>();
  for (const holding of holdings) {
    const existing = bySymbol.get(holding.symbol);
    if (existing) existing.quantity += holding.quantity;
    else bySymbol.set(holding.symbol, { ...holding });
  }
  return [...bySymbol.values()];
}

function validate(input: RebalanceInput, tolerance: number): void {
  if (!(tolerance >= 0 && tolerance < 1)) {
    throw new RebalanceInputError(`driftTolerance must be at least 0 and below 1, got ${tolerance}`);
  }
  const seen = new Set<string>();
  let sum = 0;
  for (const { key, weight } of input.targets) {
    if (seen.has(key)) throw new RebalanceInputError(`Target key "${key}" appears more than once`);
    seen.add(key);
    if (!(weight >= 0 && weight <= 1)) throw new RebalanceInputError(`Target weight of "${key}" must be between 0 and 1, got ${weight}`);
    sum += weight;
  }
  if (!(Math.abs(sum - 1) <= TARGET_SUM_TOLERANCE)) {
    throw new RebalanceInputError(`Target weights must sum to 1, got ${Number(sum.toPrecision(12))}`);
  }
  for (const { symbol, price, quantity } of input.holdings) {
    if (!(price > 0 && Number.isFinite(price))) throw new RebalanceInputError(`Price of ${symbol} must be positive, got ${price}`);
    if (!(quantity >= 0 && Number.isFinite(quantity))) {
      throw new RebalanceInputError(`Quantity of ${symbol} must be zero or more, got ${quantity}`);
    }
  }
}
