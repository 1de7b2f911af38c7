import { describe, expect, it } from 'vitest';
import { RebalanceInputError, planRebalance, type RebalanceHolding } from './rebalance.js';

const holding = (symbol: string, key: string, price: number, quantity: number, fractional = false): RebalanceHolding => ({
  symbol,
  key,
  price,
  quantity,
  fractional,
});

// Expected trades and drifts below are worked out by hand in the comments.
describe('planRebalance', () => {
  it('trades only the keys outside the band, in whole units', () => {
    // ETF 6000 / BOND 2000 / CRYPTO 2000 of 10,000 against 40 / 40 / 20 %: ETF and BOND are 20
    // points off, CRYPTO is on target and is not traded. ETF sells 2000 = 10 × 200, BOND buys 25 × 80.
    const plan = planRebalance({
      holdings: [holding('VTI', 'ETF', 200, 30), holding('BND', 'BOND', 80, 25), holding('BTC', 'CRYPTO', 40_000, 0.05, true)],
      targets: [
        { key: 'ETF', weight: 0.4 },
        { key: 'BOND', weight: 0.4 },
        { key: 'CRYPTO', weight: 0.2 },
      ],
    });
    expect(plan.trades).toEqual([
      { symbol: 'VTI', action: 'SELL', quantity: 10, value: 2000 },
      { symbol: 'BND', action: 'BUY', quantity: 25, value: 2000 },
    ]);
    expect(plan.driftBefore).toBeCloseTo(0.2, 12);
    expect(plan.driftAfter).toBeCloseTo(0, 12);
    expect(plan.netCash).toBe(0);
    expect(plan.unreachable).toEqual([]);
  });

  it('rounds whole units to the nearest unit and reports the cash left by rounding', () => {
    // ETF 26 × 230 = 5980, BOND 25 × 81 = 2025, CRYPTO 1995 (10,000). ETF and BOND are out of band
    // and hold 80.05 % together against 80 % targets: both end 0.025 point over target, so ETF
    // sells (0.59800 − 0.40025) × 10,000 = 1977.5 → 8.6 → 9 units (2070) and BOND buys 1977.5 → 24.4
    // → 24 units (1944). After: 3910 / 3969 / 1995 of 9874, 126 in cash.
    const plan = planRebalance({
      holdings: [holding('VTI', 'ETF', 230, 26), holding('BND', 'BOND', 81, 25), holding('BTC', 'CRYPTO', 40_000, 0.049875, true)],
      targets: [
        { key: 'ETF', weight: 0.4 },
        { key: 'BOND', weight: 0.4 },
        { key: 'CRYPTO', weight: 0.2 },
      ],
    });
    expect(plan.trades).toEqual([
      { symbol: 'VTI', action: 'SELL', quantity: 9, value: 2070 },
      { symbol: 'BND', action: 'BUY', quantity: 24, value: 1944 },
    ]);
    expect(plan.netCash).toBeCloseTo(126, 9);
    expect(plan.driftBefore).toBeCloseTo(0.198, 12);
    expect(plan.driftAfter).toBeCloseTo(0.4 - 3910 / 9874, 12);
    expect(plan.driftAfter).toBeLessThanOrEqual(0.05);
  });

  it('sells fractions of fractional assets, from the largest holding of the key first', () => {
    // CRYPTO (BTC 5000 + ETH 2500) is 75 % against 50 %: sell 2500, all of it from BTC (0.05 BTC).
    const holdings = [holding('ETH', 'CRYPTO', 2500, 1, true), holding('BTC', 'CRYPTO', 50_000, 0.1, true), holding('VTI', 'ETF', 250, 10)];
    const plan = planRebalance({
      holdings,
      targets: [
        { key: 'CRYPTO', weight: 0.5 },
        { key: 'ETF', weight: 0.5 },
      ],
    });
    expect(plan.trades).toEqual([
      { symbol: 'BTC', action: 'SELL', quantity: 0.05, value: 2500 },
      { symbol: 'VTI', action: 'BUY', quantity: 10, value: 2500 },
    ]);
    expect(plan.driftAfter).toBeCloseTo(0, 12);

    // Against 10 %: sell 6500, more than BTC holds: all of BTC (5000), then 0.6 ETH (1500).
    const deeper = planRebalance({
      holdings,
      targets: [
        { key: 'CRYPTO', weight: 0.1 },
        { key: 'ETF', weight: 0.9 },
      ],
    });
    expect(deeper.trades).toEqual([
      { symbol: 'BTC', action: 'SELL', quantity: 0.1, value: 5000 },
      { symbol: 'ETH', action: 'SELL', quantity: 0.6, value: 1500 },
      { symbol: 'VTI', action: 'BUY', quantity: 26, value: 6500 },
    ]);
  });

  it('makes no trade when every key is within the tolerance', () => {
    const input = {
      holdings: [holding('A', 'X', 1, 42), holding('B', 'Y', 1, 58)],
      targets: [
        { key: 'X', weight: 0.4 },
        { key: 'Y', weight: 0.6 },
      ],
    };
    const plan = planRebalance(input);
    expect(plan.trades).toEqual([]);
    expect(plan.driftBefore).toBeCloseTo(0.02, 12);
    expect(plan.driftAfter).toBe(plan.driftBefore);
    // A tighter tolerance makes the same portfolio trade.
    const tight = planRebalance({ ...input, driftTolerance: 0.01 });
    expect(tight.trades.map((trade) => [trade.symbol, trade.action, trade.quantity])).toEqual([
      ['A', 'SELL', 2],
      ['B', 'BUY', 2],
    ]);
  });

  it('brings in the in-band key with the most room when the keys outside cannot settle among themselves', () => {
    // A 47 % (target 40, out), B 27 % (30, in), C 26 % (30, in). A alone cannot shed weight; C has
    // the most room below its upper bound (9 points against B's 8). A and C hold 73 % against 70 %
    // of targets: both end 1.5 points over target, A at 41.5 % (sell 5.5 % = 550 = 110 × 5), C at
    // 31.5 % (buy 110 × 5). B is not traded; drift after = |27 − 30| = 3 points.
    const plan = planRebalance({
      holdings: [holding('A1', 'A', 5, 940), holding('B1', 'B', 5, 540), holding('C1', 'C', 5, 520)],
      targets: [
        { key: 'A', weight: 0.4 },
        { key: 'B', weight: 0.3 },
        { key: 'C', weight: 0.3 },
      ],
    });
    expect(plan.trades).toEqual([
      { symbol: 'A1', action: 'SELL', quantity: 110, value: 550 },
      { symbol: 'C1', action: 'BUY', quantity: 110, value: 550 },
    ]);
    expect(plan.driftAfter).toBeCloseTo(0.03, 12);
  });

  it('sells a key that has no target (target 0)', () => {
    const plan = planRebalance({
      holdings: [holding('VTI', 'ETF', 100, 80), holding('GLD', 'COMMODITY', 100, 20)],
      targets: [{ key: 'ETF', weight: 1 }],
    });
    expect(plan.trades).toEqual([
      { symbol: 'GLD', action: 'SELL', quantity: 20, value: 2000 },
      { symbol: 'VTI', action: 'BUY', quantity: 20, value: 2000 },
    ]);
    expect(plan.driftAfter).toBeCloseTo(0, 12);
  });

  it('reports targets without a holding as unreachable and spreads their weight over the others', () => {
    // GOLD (20 %) cannot be bought. ETF 70 % / BOND 30 % cannot both get within 5 points of 50 / 30
    // while holding 100 % between them, so the bands are dropped: both end 10 points over target.
    const plan = planRebalance({
      holdings: [holding('VTI', 'ETF', 100, 70), holding('BND', 'BOND', 100, 30)],
      targets: [
        { key: 'ETF', weight: 0.5 },
        { key: 'BOND', weight: 0.3 },
        { key: 'GOLD', weight: 0.2 },
      ],
    });
    expect(plan.unreachable).toEqual(['GOLD']);
    expect(plan.trades).toEqual([
      { symbol: 'VTI', action: 'SELL', quantity: 10, value: 1000 },
      { symbol: 'BND', action: 'BUY', quantity: 10, value: 1000 },
    ]);
    expect(plan.driftBefore).toBeCloseTo(0.2, 12);
    expect(plan.driftAfter).toBeCloseTo(0.2, 12); // GOLD still at 0 against 20 %
  });

  it('adds up lots of one symbol', () => {
    const plan = planRebalance({
      holdings: [holding('VTI', 'ETF', 100, 30), holding('VTI', 'ETF', 100, 50), holding('BND', 'BOND', 100, 20)],
      targets: [
        { key: 'ETF', weight: 0.5 },
        { key: 'BOND', weight: 0.5 },
      ],
    });
    expect(plan.trades).toEqual([
      { symbol: 'VTI', action: 'SELL', quantity: 30, value: 3000 },
      { symbol: 'BND', action: 'BUY', quantity: 30, value: 3000 },
    ]);
  });

  it('rejects targets that do not sum to 1, repeat a key or are negative, and bad tolerances or prices', () => {
    const holdings = [holding('VTI', 'ETF', 100, 1)];
    const attempt = (input: Partial<Parameters<typeof planRebalance>[0]>) => () =>
      planRebalance({ holdings, targets: [{ key: 'ETF', weight: 1 }], ...input });
    expect(
      attempt({
        targets: [
          { key: 'ETF', weight: 0.6 },
          { key: 'BOND', weight: 0.3 },
        ],
      }),
    ).toThrow(RebalanceInputError);
    expect(
      attempt({
        targets: [
          { key: 'ETF', weight: 0.6 },
          { key: 'BOND', weight: 0.3 },
        ],
      }),
    ).toThrow('Target weights must sum to 1, got 0.9');
    expect(
      attempt({
        targets: [
          { key: 'ETF', weight: 0.5 },
          { key: 'ETF', weight: 0.5 },
        ],
      }),
    ).toThrow('appears more than once');
    expect(
      attempt({
        targets: [
          { key: 'ETF', weight: 1.2 },
          { key: 'BOND', weight: -0.2 },
        ],
      }),
    ).toThrow(RebalanceInputError);
    expect(attempt({ driftTolerance: -0.1 })).toThrow(RebalanceInputError);
    expect(attempt({ holdings: [holding('VTI', 'ETF', 0, 1)] })).toThrow(RebalanceInputError);
    // Within 1e-6 of 1 is accepted.
    expect(
      attempt({
        targets: [
          { key: 'ETF', weight: 0.6 },
          { key: 'BOND', weight: 0.4000005 },
        ],
      }),
    ).not.toThrow();
  });

  it('makes no trade in an empty portfolio', () => {
    const plan = planRebalance({ holdings: [], targets: [{ key: 'ETF', weight: 1 }] });
    expect(plan.trades).toEqual([]);
    expect(plan.unreachable).toEqual(['ETF']);
    expect(plan.driftBefore).toBe(1);
  });
});
