/**
 * The ledger's worked examples, figures checked by hand (in the comments) and against an
 * independent implementation: bench/ledger_reference.py, run here with python3.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  cashBalancesOf,
  COST_BASIS_METHODS,
  holdingsOf,
  inLedgerOrder,
  realizedBetween,
  replay,
  type CostBasisMethod,
  type LedgerState,
  type LedgerTransaction,
} from './engine.js';
import { canonicalCurrency, majorUnit } from '../../platform/currency-units.js';

type Draft = Partial<LedgerTransaction> & Pick<LedgerTransaction, 'id' | 'type' | 'date'>;

/** A transaction with the contract's defaults: amount = quantity × price for trades, fee 0, USD at 1. */
function tx(draft: Draft): LedgerTransaction {
  const trade = ['BUY', 'SELL', 'TRANSFER_IN', 'TRANSFER_OUT'].includes(draft.type);
  const amount = trade ? String(Number(draft.quantity) * Number(draft.price)) : (draft.amount ?? '0');
  return {
    symbol: null,
    quantity: null,
    price: null,
    fee: '0',
    currency: 'USD',
    fxRate: '1',
    splitFrom: null,
    splitTo: null,
    lotIds: null,
    ...draft,
    amount: draft.amount ?? amount,
  };
}

const METHODS_CASE = [
  tx({ id: 'lot1', type: 'BUY', symbol: 'XYZ', date: '2023-01-10', quantity: '10', price: '100', fee: '10' }), // cost 1010, 101/share
  tx({ id: 'lot2', type: 'BUY', symbol: 'XYZ', date: '2023-06-01', quantity: '10', price: '120' }), // 120/share
  tx({ id: 'lot3', type: 'BUY', symbol: 'XYZ', date: '2023-09-01', quantity: '10', price: '110', fee: '5' }), // 1105, 110.5/share
  tx({ id: 'sell', type: 'SELL', symbol: 'XYZ', date: '2024-03-01', quantity: '15', price: '130', fee: '15' }), // proceeds 1935, 129/share
];

const SPLIT_CASE = [
  tx({ id: 'lot1', type: 'BUY', symbol: 'ABC', date: '2022-01-03', quantity: '10', price: '300' }),
  tx({ id: 'split', type: 'SPLIT', symbol: 'ABC', date: '2022-06-01', splitFrom: '1', splitTo: '3' }), // lot1: 30 at 100
  tx({ id: 'lot2', type: 'BUY', symbol: 'ABC', date: '2022-08-01', quantity: '10', price: '110' }),
  tx({ id: 'sell', type: 'SELL', symbol: 'ABC', date: '2023-02-01', quantity: '35', price: '120' }),
];

const FX_CASE = [
  // A EUR stock in a USD portfolio: bought at 1.09 USD/EUR, sold at 1.12.
  tx({
    id: 'lot1',
    type: 'BUY',
    symbol: 'SAP.DE',
    date: '2024-01-15',
    quantity: '10',
    price: '150',
    fee: '5',
    currency: 'EUR',
    fxRate: '1.09',
  }),
  tx({
    id: 'sell',
    type: 'SELL',
    symbol: 'SAP.DE',
    date: '2024-07-15',
    quantity: '10',
    price: '170',
    fee: '5',
    currency: 'EUR',
    fxRate: '1.12',
  }),
];

const DIVIDEND_CASE = [
  tx({ id: 'dep', type: 'DEPOSIT', date: '2024-01-01', amount: '10000' }),
  tx({ id: 'lot1', type: 'BUY', symbol: 'KO', date: '2024-01-02', quantity: '100', price: '60' }),
  // 46 gross, 15 % withheld: 39.10 net.
  tx({ id: 'div', type: 'DIVIDEND', symbol: 'KO', date: '2024-04-01', amount: '46', fee: '6.9' }),
  // 100 shares at 70 pence: 7000 GBp = 70 GBP out of a 100 GBP deposit.
  tx({ id: 'gbp', type: 'BUY', symbol: 'VOD.L', date: '2024-04-02', quantity: '100', price: '70', currency: 'GBp', fxRate: '0.0127' }),
  tx({ id: 'dep2', type: 'DEPOSIT', date: '2024-04-02', amount: '100', currency: 'GBP', fxRate: '1.27' }),
];

const money = (value: { toFixed(dp?: number): string }) => trim(value.toFixed(8));
function trim(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

function gains(state: LedgerState) {
  return state.realized.map((r) => ({
    lot: r.lotId,
    quantity: money(r.quantity),
    proceeds: money(r.proceeds),
    cost: money(r.costBasis),
    gain: money(r.gain),
    longTerm: r.longTerm,
  }));
}

function summary(state: LedgerState) {
  const report = realizedBetween(state, null, null);
  const openLots = state.lots
    .filter((lot) => !lot.remainingQuantity.isZero())
    .map((lot) => ({
      id: lot.id,
      quantity: money(lot.quantity),
      remaining: money(lot.remainingQuantity),
      costPerShare: money(lot.costPerShare),
    }));
  const costBasis = holdingsOf(state, 'USD').reduce((sum, h) => sum + Number(h.costBasis), 0);
  return {
    gains: gains(state),
    total: money(report.total),
    longTerm: money(report.longTerm),
    shortTerm: money(report.shortTerm),
    openLots,
    costBasis: trim(costBasis.toFixed(8)),
  };
}

describe('cost basis methods: 15 of 30 shares in three lots sold', () => {
  it('FIFO closes lot1 (10) and half of lot2: gain 325, of which 280 long term', () => {
    const state = replay(METHODS_CASE, { method: 'FIFO' });
    expect(state.problems).toEqual([]);
    // lot1: 10/15 × 1935 = 1290 − 1010 = 280, held 416 days; lot2: 645 − 600 = 45, 274 days.
    expect(gains(state)).toEqual([
      { lot: 'lot1', quantity: '10', proceeds: '1290', cost: '1010', gain: '280', longTerm: true },
      { lot: 'lot2', quantity: '5', proceeds: '645', cost: '600', gain: '45', longTerm: false },
    ]);
    const [holding] = holdingsOf(state, 'USD');
    // Left: 5 at 120 and 10 at 110.5 = 1705 for 15.
    expect([money(holding!.quantity), money(holding!.costBasis), money(holding!.averageCost)]).toEqual(['15', '1705', '113.66666667']);
  });

  it('LIFO closes lot3 and half of lot2: gain 230, all short term', () => {
    const report = realizedBetween(replay(METHODS_CASE, { method: 'LIFO' }), null, null);
    expect([money(report.total), money(report.shortTerm), money(report.longTerm)]).toEqual(['230', '230', '0']);
  });

  it('HIFO closes lot2 (120) then half of lot3 (110.5): gain 182.5', () => {
    const state = replay(METHODS_CASE, { method: 'HIFO' });
    expect(gains(state).map((g) => [g.lot, g.quantity, g.gain])).toEqual([
      ['lot2', '10', '90'],
      ['lot3', '5', '92.5'],
    ]);
  });

  it('AVERAGE costs every share at the pooled 3315 / 30 = 110.5: gain 1935 − 1657.5 = 277.5', () => {
    const state = replay(METHODS_CASE, { method: 'AVERAGE' });
    const report = realizedBetween(state, null, null);
    expect([money(report.total), money(report.longTerm), money(report.shortTerm)]).toEqual(['277.5', '185', '92.5']);
    expect(money(holdingsOf(state, 'USD')[0]!.costBasis)).toBe('1657.5');
  });

  it('specific lots: the SELL names lot3 then lot1', () => {
    const named = METHODS_CASE.map((t) => (t.id === 'sell' ? { ...t, lotIds: ['lot3', 'lot1'] } : t));
    const state = replay(named, { method: 'FIFO' });
    // lot3: 1290 − 1105 = 185; lot1: 5 × 101 = 505, 645 − 505 = 140 (long term).
    expect(gains(state).map((g) => [g.lot, g.quantity, g.gain, g.longTerm])).toEqual([
      ['lot3', '10', '185', false],
      ['lot1', '5', '140', true],
    ]);
    // What-if by another method ignores the lots named.
    expect(money(realizedBetween(replay(named, { method: 'FIFO', ignoreLotIds: true }), null, null).total)).toBe('325');
  });
});

describe('splits, currencies, dividends and cash', () => {
  it('a 3-for-1 split between two buys: the sell of 35 closes 30 split shares at 100 and 5 at 110', () => {
    const state = replay(SPLIT_CASE, { method: 'FIFO' });
    expect(state.problems).toEqual([]);
    // lot1: 30 × 120 − 3000 = 600 (394 days: long); lot2: 5 × 120 − 550 = 50.
    expect(gains(state)).toEqual([
      { lot: 'lot1', quantity: '30', proceeds: '3600', cost: '3000', gain: '600', longTerm: true },
      { lot: 'lot2', quantity: '5', proceeds: '600', cost: '550', gain: '50', longTerm: false },
    ]);
    const lot1 = state.lots.find((lot) => lot.id === 'lot1')!;
    expect([money(lot1.quantity), money(lot1.costPerShare), lot1.closedOn]).toEqual(['30', '100', '2023-02-01']);
  });

  it('a EUR stock in a USD portfolio: cost 1505 EUR × 1.09, proceeds 1695 EUR × 1.12, gain 257.95 USD', () => {
    const state = replay(FX_CASE, { method: 'FIFO' });
    expect(gains(state)).toEqual([{ lot: 'lot1', quantity: '10', proceeds: '1898.4', cost: '1640.45', gain: '257.95', longTerm: false }]);
  });

  it('a dividend with tax withheld adds the net to cash; pence are hundredths of a pound', () => {
    const state = replay(DIVIDEND_CASE, { method: 'FIFO' });
    expect(state.problems).toEqual([]);
    expect(cashBalancesOf(state).map((c) => [c.currency, money(c.amount)])).toEqual([
      ['GBP', '30'],
      ['USD', '4039.1'],
    ]);
    // A GBp lot keeps its price in pence; its base cost is 7000 × 0.0127 = 88.9.
    const vod = holdingsOf(state, 'USD').find((h) => h.symbol === 'VOD.L')!;
    expect([vod.currency, money(vod.averageCost), money(vod.costBasis)]).toEqual(['GBp', '70', '88.9']);
  });

  it('without DEPOSIT or WITHDRAWAL no cash is tracked', () => {
    expect(cashBalancesOf(replay(METHODS_CASE, { method: 'FIFO' }))).toEqual([]);
  });

  it('a sell of a whole split-adjusted position leaves nothing, and TRANSFER_OUT realizes nothing', () => {
    const state = replay(
      [...SPLIT_CASE.slice(0, 3), tx({ id: 'out', type: 'TRANSFER_OUT', symbol: 'ABC', date: '2023-01-01', quantity: '40', price: '0' })],
      { method: 'FIFO' },
    );
    expect(state.problems).toEqual([]);
    expect(state.realized).toEqual([]);
    expect(holdingsOf(state, 'USD')).toEqual([]);
  });
});

describe('rules the replay enforces', () => {
  it('selling more than is held on that date names the quantity', () => {
    const state = replay(
      inLedgerOrder([...METHODS_CASE, tx({ id: 'early', type: 'SELL', symbol: 'XYZ', date: '2023-02-01', quantity: '11', price: '1' })]),
      { method: 'FIFO' },
    );
    expect(state.problems).toEqual([{ transactionId: 'early', field: 'quantity', message: 'is more than the 10 XYZ held on 2023-02-01' }]);
  });

  it('a dividend of a symbol never held, and a sell naming a lot not opened yet, closed or foreign', () => {
    const state = replay(
      inLedgerOrder([
        ...METHODS_CASE,
        tx({ id: 'div', type: 'DIVIDEND', symbol: 'XYZ', date: '2023-01-09', amount: '5' }),
        tx({ id: 'before', type: 'SELL', symbol: 'XYZ', date: '2023-02-01', quantity: '1', price: '1', lotIds: ['lot2'] }),
        tx({ id: 'closed', type: 'SELL', symbol: 'XYZ', date: '2024-04-01', quantity: '1', price: '1', lotIds: ['lot1'] }),
        tx({ id: 'foreign', type: 'SELL', symbol: 'XYZ', date: '2024-04-01', quantity: '1', price: '1', lotIds: ['nope'] }),
        tx({ id: 'short', type: 'SELL', symbol: 'XYZ', date: '2024-04-01', quantity: '11', price: '1', lotIds: ['lot3'] }),
      ]),
      { method: 'FIFO' },
    );
    expect(state.problems).toEqual([
      { transactionId: 'div', field: 'symbol', message: 'XYZ was never held on or before 2023-01-09' },
      { transactionId: 'before', field: 'date', message: 'is before lot lot2, opened on 2023-06-01' },
      { transactionId: 'closed', field: 'lotIds', message: 'lot lot1 was closed on 2024-03-01' },
      { transactionId: 'foreign', field: 'lotIds', message: 'nope is not a lot of XYZ in this portfolio' },
      { transactionId: 'short', field: 'quantity', message: 'is more than the 10 XYZ left in the lots named' },
    ]);
  });
});

describe('currencies', () => {
  it('minor units keep their spelling and are hundredths; other codes are ISO 4217', () => {
    expect(['GBp', 'GBX', 'gbx', 'ZAc', 'ILA', 'eur', 'GBP', 'XXX', 'ABC'].map(canonicalCurrency)).toEqual([
      'GBp',
      'GBX',
      'GBX',
      'ZAc',
      'ILA',
      'EUR',
      'GBP',
      null,
      null,
    ]);
    expect([majorUnit('ZAc').currency, majorUnit('ZAc').factor.toFixed(), majorUnit('EUR').factor.toFixed()]).toEqual(['ZAR', '0.01', '1']);
  });
});

describe('against the independent Python implementation (bench/ledger_reference.py)', () => {
  const reference = JSON.parse(execFileSync('python3', ['bench/ledger_reference.py'], { encoding: 'utf8' })) as Record<string, unknown>;

  it.each(COST_BASIS_METHODS)('%s: every realized part, total, open lot and cost basis agree', (method: CostBasisMethod) => {
    expect(summary(replay(METHODS_CASE, { method }))).toEqual(reference[method]);
  });

  it('the split and the currency cases agree', () => {
    expect(summary(replay(SPLIT_CASE, { method: 'FIFO' }))).toEqual(reference.split);
    expect(summary(replay(FX_CASE, { method: 'FIFO' }))).toEqual(reference.fx);
  });

  it('cash after the dividend case agrees', () => {
    const cash = Object.fromEntries(cashBalancesOf(replay(DIVIDEND_CASE, { method: 'FIFO' })).map((c) => [c.currency, money(c.amount)]));
    expect(cash).toEqual(reference.dividendCash);
  });
});
