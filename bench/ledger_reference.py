"""Reference figures for src/ledger/core/engine.unit.test.ts, computed independently.

Run: python3 bench/ledger_reference.py   (prints every figure as JSON; the test pastes them)
     python3 bench/ledger_reference.py --stdin < cases.json   ({name: {method, transactions}} in,
     {name: figures and cash} out: src/ledger/reference.test.ts sends the ledgers it
     records through GraphQL)

A second implementation of the contract's ledger rules (shared/contract/README.md, "Ledger"),
written from the rules, not from the TypeScript: plain Python with the decimal module (64
significant digits, like the TypeScript side), lots as dicts, one pass per method. Figures are
printed rounded to 8 decimal places (how the API prints money).
"""
import json
from decimal import Decimal as D, getcontext, ROUND_HALF_EVEN

getcontext().prec = 64
getcontext().rounding = ROUND_HALF_EVEN
Q = D('0.00000001')


def fmt(x):
    return format(x.quantize(Q).normalize(), 'f') if x != 0 else '0'


def first_anniversary(ymd):
    """IRS Publication 550: long term when sold after this date (the same day a year later; 28 Feb for 29 Feb)."""
    month_day = ymd[5:]
    return '%04d-%s' % (int(ymd[:4]) + 1, '02-28' if month_day == '02-29' else month_day)


def run(txs, method):
    lots = []  # every lot: id, sym, opened, qty, rem, cps (local), cpsb (base), ccy
    gains = []
    for t in txs:
        kind = t['type']
        amount = D(t.get('quantity', '0')) * D(t.get('price', '0')) if kind in ('BUY', 'SELL') else D(t.get('amount', '0'))
        fee = D(t.get('fee', '0'))
        fx = D(t.get('fx', '1'))
        if kind == 'BUY':
            q = D(t['quantity'])
            cps = (amount + fee) / q
            lots.append(dict(id=t['id'], sym=t['symbol'], opened=t['date'], qty=q, rem=q, cps=cps, cpsb=cps * fx))
            if method == 'AVERAGE':
                open_ = [l for l in lots if l['sym'] == t['symbol'] and l['rem'] > 0]
                tq = sum(l['rem'] for l in open_)
                tb = sum(l['rem'] * l['cpsb'] for l in open_)
                tl = sum(l['rem'] * l['cps'] for l in open_)
                for l in open_:
                    l['cpsb'] = tb / tq
                    l['cps'] = tl / tq
        elif kind == 'SPLIT':
            r = D(t['splitTo']) / D(t['splitFrom'])
            for l in lots:
                if l['sym'] == t['symbol'] and l['rem'] > 0:
                    l['qty'] *= r
                    l['rem'] *= r
                    l['cps'] /= r
                    l['cpsb'] /= r
        elif kind == 'SELL':
            q = D(t['quantity'])
            open_ = [l for l in lots if l['sym'] == t['symbol'] and l['rem'] > 0]
            if t.get('lotIds'):  # specific identification: the lots named, in their order
                open_ = [next(l for l in open_ if l['id'] == i) for i in t['lotIds']]
            elif method == 'LIFO':
                open_ = open_[::-1]
            elif method == 'HIFO':
                open_ = sorted(open_, key=lambda l: -l['cpsb'])  # stable: ties oldest first
            proceeds = (amount - fee) * fx
            left = q
            for l in open_:
                if left == 0:
                    break
                part = min(left, l['rem'])
                cost = part * l['cpsb']
                share = proceeds * part / q
                gains.append(dict(lot=l['id'], quantity=fmt(part), proceeds=fmt(share), cost=fmt(cost), gain=fmt(share - cost),
                                  longTerm=t['date'] > first_anniversary(l['opened'])))
                l['rem'] -= part
                left -= part
            assert left == 0, 'oversold'
    total = sum(D(g['gain']) for g in gains)
    long_ = sum(D(g['gain']) for g in gains if g['longTerm'])
    open_lots = [dict(id=l['id'], quantity=fmt(l['qty']), remaining=fmt(l['rem']), costPerShare=fmt(l['cps'])) for l in lots if l['rem'] > 0]
    basis = sum(l['rem'] * l['cpsb'] for l in lots)
    return dict(gains=gains, total=fmt(total), longTerm=fmt(long_), shortTerm=fmt(total - long_), openLots=open_lots, costBasis=fmt(basis))


def cash(txs):
    """Cash per currency (major units), the contract's signs: in for DEPOSIT/SELL/DIVIDEND (net), out for BUY (with fee)."""
    balances = {}
    for t in txs:
        kind = t['type']
        fee = D(t.get('fee', '0'))
        amount = D(t['quantity']) * D(t['price']) if kind in ('BUY', 'SELL') else D(t.get('amount', '0'))
        ccy, factor = t.get('currency', 'USD'), D(1)
        if ccy in ('GBp', 'GBX'):
            ccy, factor = 'GBP', D('0.01')
        delta = {'DEPOSIT': amount - fee, 'WITHDRAWAL': -amount - fee, 'BUY': -amount - fee, 'SELL': amount - fee,
                 'DIVIDEND': amount - fee, 'INTEREST': amount - fee, 'FEE': -amount - fee, 'TAX': -amount - fee, 'SPLIT': -fee}[kind]
        balances[ccy] = balances.get(ccy, D(0)) + delta * factor
    return {k: fmt(v) for k, v in sorted(balances.items())}


# The worked examples of the test, typed in again.
METHODS_CASE = [
    dict(id='lot1', type='BUY', symbol='XYZ', date='2023-01-10', quantity='10', price='100', fee='10'),
    dict(id='lot2', type='BUY', symbol='XYZ', date='2023-06-01', quantity='10', price='120'),
    dict(id='lot3', type='BUY', symbol='XYZ', date='2023-09-01', quantity='10', price='110', fee='5'),
    dict(id='sell', type='SELL', symbol='XYZ', date='2024-03-01', quantity='15', price='130', fee='15'),
]
SPLIT_CASE = [
    dict(id='lot1', type='BUY', symbol='ABC', date='2022-01-03', quantity='10', price='300'),
    dict(id='split', type='SPLIT', symbol='ABC', date='2022-06-01', splitFrom='1', splitTo='3'),
    dict(id='lot2', type='BUY', symbol='ABC', date='2022-08-01', quantity='10', price='110'),
    dict(id='sell', type='SELL', symbol='ABC', date='2023-02-01', quantity='35', price='120'),
]
FX_CASE = [
    dict(id='lot1', type='BUY', symbol='SAP.DE', date='2024-01-15', quantity='10', price='150', fee='5', fx='1.09'),
    dict(id='sell', type='SELL', symbol='SAP.DE', date='2024-07-15', quantity='10', price='170', fee='5', fx='1.12'),
]
DIVIDEND_CASE = [
    dict(id='dep', type='DEPOSIT', date='2024-01-01', amount='10000'),
    dict(id='lot1', type='BUY', symbol='KO', date='2024-01-02', quantity='100', price='60'),
    dict(id='div', type='DIVIDEND', symbol='KO', date='2024-04-01', amount='46', fee='6.9'),
    dict(id='gbp', type='BUY', symbol='VOD.L', date='2024-04-02', quantity='100', price='70', fee='0', currency='GBp'),
    dict(id='dep2', type='DEPOSIT', date='2024-04-02', amount='100', currency='GBP'),
]

if __name__ == '__main__':
    import sys
    if '--stdin' in sys.argv:
        cases = json.load(sys.stdin)
        print(json.dumps({name: dict(run(c['transactions'], c['method']), cash=cash(c['transactions'])) for name, c in cases.items()}))
        sys.exit(0)
    out = {m: run(METHODS_CASE, m) for m in ('FIFO', 'LIFO', 'HIFO', 'AVERAGE')}
    out['split'] = run(SPLIT_CASE, 'FIFO')
    out['fx'] = run(FX_CASE, 'FIFO')
    out['dividendCash'] = cash(DIVIDEND_CASE)
    print(json.dumps(out, indent=1))
