"""Reference figures for src/analytics/figures.test.ts, computed independently with numpy/pandas.

Run: /usr/bin/python3 bench/analytics_service_reference.py   (prints every figure; the test pastes them)

The portfolio of the test, typed in again here: two custom assets with prices set exactly, one of
them with a missing day (its last close is carried forward), a purchase in the middle of the range
(an inflow, at the start of its day), a purchase on a Saturday (a valued day of its own), and a
benchmark with missing days. Daily returns follow Portfolio Performance's convention:
r_t = (V_t + O_t) / (V_{t-1} + I_t) - 1, the first day from what was held the evening before. Conventions are the contract's (shared/contract/README.md,
"Analytics conventions"); nothing here imports the TypeScript code.
"""
import math
from statistics import NormalDist

import numpy as np
import pandas as pd

SQRT252 = math.sqrt(252)
RF = 0.02  # the test app's RISK_FREE_RATE

CLOSES = {
    'AAA': {'2023-12-29': 99.0, '2024-01-02': 100.0, '2024-01-03': 102.0, '2024-01-04': 101.0, '2024-01-05': 104.0,
            '2024-01-08': 103.0, '2024-01-09': 106.0, '2024-01-10': 105.5, '2024-01-11': 107.0, '2024-01-12': 108.0},
    # no close on 2024-01-09: the 01-08 close is carried forward
    'BBB': {'2024-01-02': 50.0, '2024-01-03': 49.0, '2024-01-04': 50.5, '2024-01-05': 51.0, '2024-01-08': 52.0,
            '2024-01-10': 51.5, '2024-01-11': 53.0, '2024-01-12': 52.5},
}
# a market symbol with stored prices, missing 01-04 and 01-11
BENCH = {'2023-12-29': 398.0, '2024-01-02': 400.0, '2024-01-03': 404.0, '2024-01-05': 402.0, '2024-01-08': 406.0,
         '2024-01-09': 405.0, '2024-01-10': 410.0, '2024-01-12': 412.0}
# a third symbol with a close every day, held with AAA and BBB in a second portfolio: AAA-CCC
# correlate over all 8 days, BBB's pairs over the 7 days BBB has (pairwise, like DataFrame.corr())
CCC = {'2024-01-02': '20', '2024-01-03': '20.6', '2024-01-04': '20.2', '2024-01-05': '20.9', '2024-01-08': '21.3',
       '2024-01-09': '21.0', '2024-01-10': '21.4', '2024-01-11': '21.1', '2024-01-12': '21.8'}
LOTS = [  # symbol, quantity, purchase date, purchase price
    ('AAA', 10, '2024-01-02', 100.0),
    ('BBB', 20, '2024-01-05', 51.0),   # mid-range purchase: a flow
    ('AAA', 5, '2024-01-06', 103.0),   # Saturday: a valued day of its own
]


def show(name, value):
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        print(f'{name} = [{", ".join(repr(float(v)) for v in np.ravel(value))}]')
    else:
        print(f'{name} = {float(value)!r}')


def series(closes):
    s = pd.Series(closes, dtype=float)
    s.index = pd.to_datetime(s.index)
    return s.sort_index()


def valuation(start, end):
    """Values on every close day and every purchase day from the first purchase, inflows of each
    day, and the value the evening before `start` of what was bought before it."""
    table = pd.DataFrame({s: series(c) for s, c in CLOSES.items()}).sort_index()
    purchases = pd.to_datetime([d for _, _, d, _ in LOTS if start <= d <= end])
    table = table.reindex(table.index.union(purchases))
    first = min(pd.Timestamp(d) for _, _, d, _ in LOTS)
    days = table.loc[max(pd.Timestamp(start), first):end].index
    carried = table.ffill()
    values = pd.Series(0.0, index=days)
    inflows = pd.Series(0.0, index=days)
    before = carried.loc[:pd.Timestamp(start) - pd.Timedelta(days=1)]
    start_value = 0.0
    for symbol, qty, date, price in LOTS:
        bought = pd.Timestamp(date)
        values += np.where(days >= bought, qty * carried[symbol].loc[days], 0.0)
        if bought >= pd.Timestamp(start):
            inflows[bought] += qty * price
        else:
            start_value += qty * before[symbol].iloc[-1]
    return values, inflows, start_value


def xirr(dated):
    """Bisection on g = ln(1 + r): NPV = sum a e^(-g t), t in years of 365 days."""
    d0 = dated[0][0]
    years = [(d - d0).days / 365 for d, _ in dated]
    amounts = [a for _, a in dated]
    npv = lambda g: sum(a * math.exp(-g * t) for t, a in zip(years, amounts))
    low, high = -20.0, 20.0
    f_low = npv(low)
    for _ in range(300):
        mid = (low + high) / 2
        if (npv(mid) > 0) == (f_low > 0):
            low, f_low = mid, npv(mid)
        else:
            high = mid
    return math.expm1((low + high) / 2)


def performance(start, end, label):
    values, inflows, start_value = valuation(start, end)
    previous = pd.Series(np.concatenate(([start_value], values.values[:-1])), index=values.index)
    r = values / (previous + inflows) - 1  # no outflows in this portfolio
    growth = np.cumprod(1 + r.values)
    twr = growth[-1] - 1
    days = (values.index[-1] - values.index[0]).days
    print(f'## performance {label}')
    print('dates =', [d.strftime('%Y-%m-%d') for d in values.index])
    show('values', values.values)
    show('returns', r.values)
    show('cumulative', growth - 1)
    show('twr', twr)
    show('annualized', (1 + twr) ** (365 / days) - 1)
    dated = ([(values.index[0], -start_value)] if start_value > 0 else []) + [(d, -f) for d, f in inflows.items() if f > 0]
    dated.append((values.index[-1], values.iloc[-1]))
    show('mwr', xirr(dated))
    return r


def own_returns(closes, start, end):
    return series(closes).loc[start:end].pct_change().dropna()


def risk(r, start, end):
    print('## risk (rf = 0.02)')
    x = r.values - RF / 252
    show('observations', len(r))
    show('volatility', r.std(ddof=1) * SQRT252)
    show('sharpe', x.mean() / x.std(ddof=1) * SQRT252)
    show('sortino', x.mean() / np.sqrt(np.mean(np.minimum(x, 0) ** 2)) * SQRT252)
    index = np.concatenate(([1.0], np.cumprod(1 + r.values)))
    show('maxDrawdown', np.max(1 - index / np.maximum.accumulate(index)))
    for c in (0.95, 0.9):
        q = np.quantile(r.values, 1 - c)
        show(f'VaR c={c}', -q)
        show(f'CVaR c={c}', -r.values[r.values <= q].mean())
        show(f'parametric VaR c={c}', -(r.values.mean() + NormalDist().inv_cdf(1 - c) * r.values.std(ddof=1)))
    b = own_returns(BENCH, start, end)
    both = pd.concat([r, b], axis=1, join='inner')
    show('beta common days', len(both))
    cov = np.cov(both.iloc[:, 0], both.iloc[:, 1], ddof=1)
    show('beta', cov[0, 1] / cov[1, 1])
    pair = pd.concat([own_returns(CLOSES['AAA'], start, end), own_returns(CLOSES['BBB'], start, end)], axis=1).dropna()
    show('correlation AAA BBB (pairwise common days)', pair.corr().iloc[0, 1])
    returns = pd.DataFrame({s: own_returns(c, start, end) for s, c in [('AAA', CLOSES['AAA']), ('BBB', CLOSES['BBB']), ('CCC', {d: float(v) for d, v in CCC.items()})]})
    pairwise = returns.corr()  # pairwise complete observations
    for a, b in [('AAA', 'BBB'), ('AAA', 'CCC'), ('BBB', 'CCC')]:
        show(f'correlation {a} {b} (second portfolio)', pairwise.loc[a, b])
    print('## factor exposure on BENCH (numpy lstsq)')
    x = np.column_stack([np.ones(len(both)), both.iloc[:, 1].values])
    y = both.iloc[:, 0].values
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    fitted = x @ coef
    show('alpha, beta', coef)
    show('annualized alpha (x 252)', coef[0] * 252)
    show('r2', 1 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2))


if __name__ == '__main__':
    returns = performance('2024-01-02', '2024-01-12', '2024-01-02..2024-01-12')
    risk(returns, '2024-01-02', '2024-01-12')
    performance('2024-01-04', '2024-01-12', '2024-01-04..2024-01-12 (the first lot held at the start)')
