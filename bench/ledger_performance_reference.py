"""Performance of a ledger (TWR, MWR, annualized, series), computed independently with numpy.

Run: python3 bench/ledger_performance_reference.py < case.json   (src/analytics/ledger-numpy.test.ts
sends the case it records through GraphQL and compares the API's figures with what this prints)

Written from the contract's text (shared/contract/README.md, "Ledger" and "Analytics
conventions": Portfolio Performance's true time-weighted rate of return), not from the TypeScript:
- Valued days: from the first transaction's day, every day with a close of a symbol the ledger
  opens, and every day with a transaction other than a SPLIT (its own date, weekend or not).
- V_t: Σ quantity held × the last close on or before t × that day's FX rate of the symbol's
  currency, plus, for a cash portfolio (any DEPOSIT or WITHDRAWAL), cash per currency × that
  day's rate. A SPLIT multiplies the quantity held by splitTo / splitFrom (closes are as traded).
- External flows (in base currency, at each transaction's own fxRate, else its date's rate):
  cash portfolio: DEPOSIT, TRANSFER_IN +amount; WITHDRAWAL, TRANSFER_OUT -amount; nothing else.
  holdings portfolio: BUY, TRANSFER_IN +(amount + fee) (a purchase's cost); SELL, DIVIDEND,
  INTEREST, TRANSFER_OUT -(amount - fee) (proceeds, net of fee and tax). FEE and TAX, about which
  the contract says only "cash paid", are +(amount + fee): money put in that is gone
  (docs/ledger.md, "Analytics on the ledger"). I_t sums the positive ones of day t, O_t the
  negative ones (as positive amounts).
- r_t = (V_t + O_t) / (V_{t-1} + I_t) - 1, V_{t-1} the previous valued day's value (for the first
  day, what the transactions before the range hold at their last closes before it; 0 if none);
  a day with V_{t-1} + I_t = 0 has no return. TWR = prod(1 + r) - 1; series cumulativeReturn = TWR
  to the end of t.
- MWR: annual XIRR (actual/365) of -start value (on the first valued day), -I_t and +O_t on their
  days, +V on the last valued day.
- annualized = (1 + TWR)^(365 / calendar days from the first to the last valued day) - 1.

Input (JSON on stdin): { range: {from, to}, transactions: [TransactionInput-like, in ledger
order, amounts as decimal text, fxRate null when none], closes: {symbol: {date: close}},
priceCurrency: {symbol: currency}, fx: {currency: {date: units of base per unit}} } (the base
currency itself is absent from fx: rate 1).
"""
import json
import sys
from datetime import date

import numpy as np

TRADES = ('BUY', 'SELL', 'TRANSFER_IN', 'TRANSFER_OUT')


def num(x):
    return 0.0 if x is None or x == '' else float(x)


def amount_of(t):
    if t['type'] in TRADES or (t.get('amount') in (None, '') and t.get('quantity') not in (None, '')):
        return num(t.get('quantity')) * num(t.get('price'))
    return num(t.get('amount'))


def rate(fx, currency, day):
    """The last rate on or before `day` (the table has every valued day)."""
    if currency not in fx:
        return 1.0
    known = [d for d in fx[currency] if d <= day]
    return float(fx[currency][max(known)])


def flow(t, cash_portfolio, fx):
    kind, a, fee = t['type'], amount_of(t), num(t.get('fee'))
    own = num(t['fxRate']) if t.get('fxRate') not in (None, '') else rate(fx, t['currency'], t['date'])
    if cash_portfolio:
        signed = {'DEPOSIT': a, 'TRANSFER_IN': a, 'WITHDRAWAL': -a, 'TRANSFER_OUT': -a}.get(kind, 0.0)
    else:
        signed = {'BUY': a + fee, 'TRANSFER_IN': a + fee, 'FEE': a + fee, 'TAX': a + fee, 'SPLIT': fee,
                  'SELL': -(a - fee), 'DIVIDEND': -(a - fee), 'INTEREST': -(a - fee), 'TRANSFER_OUT': -(a - fee)}[kind]
    return signed * own


def cash_change(t):
    kind, a, fee = t['type'], amount_of(t), num(t.get('fee'))
    if kind in ('BUY', 'FEE', 'TAX', 'WITHDRAWAL'):
        return -(a + fee)
    if kind in ('SELL', 'DIVIDEND', 'INTEREST', 'DEPOSIT'):
        return a - fee
    return -fee


def apply(held, cash, t, cash_portfolio):
    kind, sym = t['type'], t.get('symbol')
    if cash_portfolio:
        cash[t['currency']] = cash.get(t['currency'], 0.0) + cash_change(t)
    if kind in ('BUY', 'TRANSFER_IN'):
        held[sym] = held.get(sym, 0.0) + num(t['quantity'])
    elif kind in ('SELL', 'TRANSFER_OUT'):
        held[sym] -= num(t['quantity'])
    elif kind == 'SPLIT':
        held[sym] *= num(t['splitTo']) / num(t['splitFrom'])


def value(held, cash, day, closes, price_ccy, fx):
    v = 0.0
    for sym, q in held.items():
        if q == 0:
            continue
        # The last positive close (a close of 0 is no price, the contract's docs/analytics.md).
        known = [d for d in closes.get(sym, {}) if d <= day and float(closes[sym][d]) > 0]
        v += q * float(closes[sym][max(known)]) * rate(fx, price_ccy.get(sym, ''), day)
    for ccy, amount in cash.items():
        v += amount * rate(fx, ccy, day)
    return v


def xirr(dates, amounts):
    """Annual rate r with sum a_i (1 + r)^(-(d_i - d_0)/365) = 0, by bisection on g = ln(1 + r)."""
    d0 = min(dates)
    years = np.array([(d - d0).days / 365.0 for d in dates])
    a = np.array(amounts)

    def npv(g):
        # Scaled by e^(g * t_max) when g < 0, so nothing overflows; the sign is the NPV's.
        shift = years.max() if g < 0 else 0.0
        return float(np.sum(a * np.exp(-g * (years - shift))))

    lo, hi = -30.0, 30.0
    f_lo = npv(lo)
    assert f_lo * npv(hi) < 0, 'no sign change'
    for _ in range(300):
        mid = 0.5 * (lo + hi)
        f_mid = npv(mid)
        if f_mid == 0:
            break
        if (f_mid < 0) == (f_lo < 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return float(np.expm1(0.5 * (lo + hi)))


def performance(case):
    txs, closes, price_ccy, fx = case['transactions'], case['closes'], case.get('priceCurrency', {}), case.get('fx', {})
    start, end = case['range']['from'], case['range']['to']
    cash_portfolio = any(t['type'] in ('DEPOSIT', 'WITHDRAWAL') for t in txs)
    opened = {t['symbol'] for t in txs if t['type'] in ('BUY', 'TRANSFER_IN') and t['date'] <= end}
    first_tx = min(t['date'] for t in txs)
    in_range = [t for t in txs if start <= t['date'] <= end]
    close_days = {d for s in opened for d in closes.get(s, {}) if start <= d <= end and float(closes[s][d]) > 0}
    flow_days = {t['date'] for t in in_range if t['type'] != 'SPLIT' or num(t.get('fee')) != 0}
    days = sorted(d for d in close_days | flow_days if d >= first_tx)

    held, cash = {}, {}
    before = [t for t in txs if t['date'] < start]
    for t in before:
        apply(held, cash, t, cash_portfolio)
    day_before = (date.fromisoformat(start).toordinal() - 1)
    start_value = value(held, cash, date.fromordinal(day_before).isoformat(), closes, price_ccy, fx) if before else 0.0
    values, inflows, outflows = [], [], []
    for day in sorted(set(days) | {t['date'] for t in in_range}):
        today = [t for t in in_range if t['date'] == day]
        for t in today:
            apply(held, cash, t, cash_portfolio)
        if day not in days:
            continue  # a split alone on a day without a close
        signed = [flow(t, cash_portfolio, fx) for t in today]
        inflows.append(sum(f for f in signed if f > 0))
        outflows.append(-sum(f for f in signed if f < 0))
        values.append(value(held, cash, day, closes, price_ccy, fx))
    V, I, O = np.array(values), np.array(inflows), np.array(outflows)
    previous = np.concatenate(([start_value], V[:-1]))
    base = previous + I
    has_return = base > 0
    r = np.where(has_return, (V + O) / np.where(has_return, base, 1) - 1, 0.0)
    growth = np.cumprod(1 + r)
    twr = float(growth[-1] - 1)
    d = [date.fromisoformat(x) for x in days]
    mwr = ([(d[0], -start_value)] if start_value > 0 else [])
    for i in range(len(d)):
        if I[i] != 0:
            mwr.append((d[i], -I[i]))
        if O[i] != 0:
            mwr.append((d[i], O[i]))
    if V[-1] != 0:
        mwr.append((d[-1], V[-1]))
    calendar_days = (d[-1] - d[0]).days
    return dict(
        dates=days,
        values=V.tolist(),
        inflows=I.tolist(),
        outflows=O.tolist(),
        returns=r[has_return].tolist(),
        cumulativeReturns=(growth - 1).tolist(),
        timeWeightedReturn=twr,
        moneyWeightedReturn=xirr([x for x, _ in mwr], [a for _, a in mwr]),
        annualizedReturn=float((1 + twr) ** (365 / calendar_days) - 1) if calendar_days > 0 else None,
    )


if __name__ == '__main__':
    print(json.dumps(performance(json.load(sys.stdin))))
