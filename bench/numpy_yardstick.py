"""numpy yardstick for bench/analytics.bench.ts: the same work, same sizes, same conventions.

  risk report: 50 holdings x 1260 trading days -> daily valuation (holdings bought mid-range
               count from their purchase day, with a flow), flow-adjusted returns, TWR,
               cumulative series, annualized return, XIRR (Newton on numpy arrays), volatility,
               Sharpe, Sortino, beta, max drawdown, historical/conditional/parametric VaR,
               50x50 correlation matrix and its pairs.
  Monte Carlo: 10,000 paths x 252 days x 20 assets of correlated normal daily returns
               (sample mean/covariance, Cholesky), per-asset compounding, percentile bands
               (5/25/50/75/95) of the portfolio value every day, VaR and expected value.

Run: /usr/bin/python3 bench/numpy_yardstick.py [--json]   (median times in ms)
numpy here gets its prices as a ready (days x holdings) matrix: no date handling at all.
"""
import json
import os
import sys
import time

# One core, like the TypeScript core: BLAS must not spread the matrix products over threads.
for variable in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(variable, '1')

import numpy as np  # noqa: E402  (after the thread settings)

HOLDINGS, DAYS = 50, 1260
PATHS, HORIZON, ASSETS = 10_000, 252, 20
CHUNK = 1_000  # paths per block, to keep the normals array at ~40 MB
SQRT252 = np.sqrt(252.0)
Z_05 = -1.6448536269514722  # inverse normal CDF at 0.05


def make_prices(rng):
    market = rng.standard_normal(DAYS)
    noise = rng.standard_normal((DAYS, HOLDINGS + 1))
    start = 50 + 100 * rng.random(HOLDINGS + 1)
    growth = 1 + 0.0003 + 0.008 * market[:, None] + 0.012 * noise
    return start * np.cumprod(growth, axis=0)  # (days, holdings + benchmark)


def xirr(amounts, years):
    g = 0.0
    for _ in range(100):
        terms = amounts * np.exp(-g * years)
        value, slope = terms.sum(), -(years * terms).sum()
        step = value / slope
        g -= step
        if abs(step) < 1e-15:
            break
    return np.expm1(g)


def risk_report(prices, quantities, start_day, purchase_prices, day_numbers):
    held = np.arange(DAYS)[:, None] >= start_day[None, :]
    values = (prices[:, :HOLDINGS] * held) @ quantities
    flows = np.zeros(DAYS)
    mid = start_day > 0
    np.add.at(flows, start_day[mid], quantities[mid] * purchase_prices[mid])
    r = (values[1:] - flows[1:]) / values[:-1] - 1
    growth = np.cumprod(1 + r)
    twr = growth[-1] - 1
    cumulative = np.concatenate(([0.0], growth - 1))
    days = day_numbers[-1] - day_numbers[0]
    annualized = (1 + twr) ** (365 / days) - 1
    # Money in: the value held at the start and each purchase; money out: the end value.
    amounts = np.concatenate((flows[:1] - values[:1], -flows[flows > 0], values[-1:]))
    when = np.concatenate((day_numbers[:1], day_numbers[flows > 0], day_numbers[-1:]))
    mwr = xirr(amounts, (when - when[0]) / 365)
    vol = r.std(ddof=1) * SQRT252
    mean = r.mean()
    sharpe = mean / r.std(ddof=1) * SQRT252
    sortino = mean / np.sqrt(np.mean(np.minimum(r, 0) ** 2)) * SQRT252
    b = prices[1:, HOLDINGS] / prices[:-1, HOLDINGS] - 1
    cov = np.cov(r, b)
    beta = cov[0, 1] / cov[1, 1]
    drawdown = np.max(1 - growth / np.maximum.accumulate(np.maximum(growth, 1)))
    cutoff = np.quantile(r, 0.05)
    var = -cutoff
    cvar = -r[r <= cutoff].mean()
    pvar = -(mean + Z_05 * r.std(ddof=1))
    asset_returns = prices[1:, :HOLDINGS] / prices[:-1, :HOLDINGS] - 1
    corr = np.corrcoef(asset_returns, rowvar=False)
    upper = np.triu_indices(HOLDINGS, 1)
    pairs = corr[upper]
    return twr, cumulative, annualized, mwr, vol, sharpe, sortino, beta, drawdown, var, cvar, pvar, pairs


def monte_carlo(asset_returns, holding_values, seed):
    mu = asset_returns.mean(axis=0)
    chol = np.linalg.cholesky(np.cov(asset_returns, rowvar=False))
    rng = np.random.default_rng(seed)
    portfolio = np.empty((PATHS, HORIZON))
    for start in range(0, PATHS, CHUNK):
        z = rng.standard_normal((CHUNK * HORIZON, ASSETS))
        growth = z @ chol.T  # one matrix product for the whole block
        growth += 1 + mu
        growth = growth.reshape(CHUNK, HORIZON, ASSETS)
        np.cumprod(growth, axis=1, out=growth)
        portfolio[start:start + CHUNK] = growth @ holding_values
    bands = np.percentile(portfolio, [5, 25, 50, 75, 95], axis=0)
    final = portfolio[:, -1]
    start_value = holding_values.sum()
    return bands, final.mean(), 1 - np.quantile(final, 0.05) / start_value


def median_ms(fn, warmups, runs):
    for _ in range(warmups):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(samples))


def main():
    rng = np.random.default_rng(42)
    prices = make_prices(rng)
    quantities = 10.0 + np.arange(HOLDINGS)
    start_day = np.where(np.arange(HOLDINGS) % 5 == 0, 100 + 10 * np.arange(HOLDINGS), 0)
    purchase_prices = prices[0, :HOLDINGS].copy()
    day_numbers = np.busday_offset('2019-01-01', np.arange(DAYS), roll='forward').astype('int64').astype(float)
    asset_returns = prices[1:, :ASSETS] / prices[:-1, :ASSETS] - 1
    holding_values = 100 * prices[-1, :ASSETS]

    times = {
        'risk': median_ms(lambda: risk_report(prices, quantities, start_day, purchase_prices, day_numbers), 50, 300),
        'monteCarlo': median_ms(lambda: monte_carlo(asset_returns, holding_values, 7), 1, 7),
    }
    if '--json' in sys.argv:
        print(json.dumps(times))
        return
    print('| work | numpy (ms) |')
    print('|---|---:|')
    print(f'| risk report ({HOLDINGS} holdings x {DAYS} days) | {times["risk"]:.3f} |')
    print(f'| Monte Carlo ({PATHS} paths x {HORIZON} days x {ASSETS} assets) | {times["monteCarlo"]:.1f} |')


if __name__ == '__main__':
    main()
