/**
 * The ledger's conventions of issue #23 at the engine: the IRS holding period, a method that
 * applies forward, split quantities to 8 places and CONVERSION. Figures worked by hand in the
 * comments.
 */
import { describe, expect, it } from 'vitest';
import { cashBalancesOf, firstAnniversary, holdingsOf, isLongTerm, realizedBetween, replay, type LedgerTransaction } from './engine.js';

type Draft = Partial<LedgerTransaction> & Pick<LedgerTransaction, 'id' | 'type' | 'date'>;

function tx(draft: Draft): LedgerTransaction {
  const trade = ['BUY', 'SELL', 'TRANSFER_IN', 'TRANSFER_OUT'].includes(draft.type);
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
    amount: draft.amount ?? (trade ? String(Number(draft.quantity) * Number(draft.price)) : '0'),
  };
}

const money = (value: { toFixed(places: number): string }) => value.toFixed(2);

describe('holding period (IRS Publication 550)', () => {
  it('starts the day after the purchase: the anniversary itself is short term, leap day or not', () => {
    // Pub. 550, "Holding Period": "begin counting on the day after you acquired the property";
    // bought 2019-09-19 (a leap day, 2020-02-29, lies between), sold 2020-09-19: held exactly one year.
    expect(isLongTerm('2019-09-19', '2020-09-19')).toBe(false);
    expect(isLongTerm('2019-09-19', '2020-09-20')).toBe(true);
    expect(isLongTerm('2021-03-01', '2022-03-01')).toBe(false);
    expect(isLongTerm('2021-03-01', '2022-03-02')).toBe(true);
    // Bought on a leap day: the anniversary is 28 February.
    expect(firstAnniversary('2020-02-29')).toBe('2021-02-28');
    expect(isLongTerm('2020-02-29', '2021-02-28')).toBe(false);
    expect(isLongTerm('2020-02-29', '2021-03-01')).toBe(true);
  });

  it('decides longTerm of a realized gain', () => {
    const ledger = [
      tx({ id: 'b1', type: 'BUY', symbol: 'X', date: '2019-09-19', quantity: '2', price: '100' }),
      tx({ id: 's1', type: 'SELL', symbol: 'X', date: '2020-09-19', quantity: '1', price: '150' }),
      tx({ id: 's2', type: 'SELL', symbol: 'X', date: '2020-09-20', quantity: '1', price: '160' }),
    ];
    const report = realizedBetween(replay(ledger, { method: 'FIFO' }), null, null);
    expect(report.items.map((r) => r.longTerm)).toEqual([false, true]);
    expect(money(report.shortTerm)).toBe('50.00');
    expect(money(report.longTerm)).toBe('60.00');
  });
});

describe('an elected method applies forward', () => {
  // Lots: 10 @ 100 (2023-01-02), 10 @ 200 (2023-02-01). Under AVERAGE the pool costs 150 a share.
  const buys = [
    tx({ id: 'b1', type: 'BUY', symbol: 'X', date: '2023-01-02', quantity: '10', price: '100' }),
    tx({ id: 'b2', type: 'BUY', symbol: 'X', date: '2023-02-01', quantity: '10', price: '200' }),
  ];

  it('a SELL recorded under AVERAGE keeps its gain after the portfolio switches to FIFO', () => {
    // s1 (AVERAGE): 5 × 250 − 5 × 150 = 500. s2 (recorded after the switch, FIFO): the 15 shares
    // left cost 2250 (150 each, as the pool left them), so 5 × 250 − 750 = 500 again.
    const ledger = [
      ...buys,
      tx({ id: 's1', type: 'SELL', symbol: 'X', date: '2023-03-01', quantity: '5', price: '250', costBasisMethod: 'AVERAGE' }),
      tx({ id: 's2', type: 'SELL', symbol: 'X', date: '2023-04-03', quantity: '5', price: '250', costBasisMethod: 'FIFO' }),
    ];
    const state = replay(ledger, { method: 'FIFO' });
    expect(state.realized.filter((r) => r.sellId === 's1').reduce((sum, r) => sum + Number(r.gain), 0)).toBe(500);
    expect(money(realizedBetween(state, null, null).total)).toBe('1000.00');
    // What-if: every SELL by FIFO: s1 5 × (250 − 100) = 750, s2 750.
    expect(money(realizedBetween(replay(ledger, { method: 'FIFO', ignoreLotIds: true }), null, null).total)).toBe('1500.00');
    // The same ledger replayed with AVERAGE as the current method gives the same recorded figures.
    expect(money(realizedBetween(replay(ledger, { method: 'AVERAGE' }), null, null).total)).toBe('1000.00');
  });

  it('a SELL recorded under FIFO keeps its lots after a switch to HIFO or LIFO', () => {
    // s1 (FIFO): 5 of b1: 5 × (150 − 100) = 250. s2 (HIFO): 5 of b2: 5 × (150 − 200) = −250.
    const ledger = [
      ...buys,
      tx({ id: 's1', type: 'SELL', symbol: 'X', date: '2023-03-01', quantity: '5', price: '150', costBasisMethod: 'FIFO' }),
      tx({ id: 's2', type: 'SELL', symbol: 'X', date: '2023-04-03', quantity: '5', price: '150', costBasisMethod: 'HIFO' }),
    ];
    for (const method of ['FIFO', 'LIFO', 'HIFO', 'AVERAGE'] as const) {
      const state = replay(ledger, { method });
      expect(state.realized.map((r) => [r.sellId, r.lotId, money(r.gain)])).toEqual([
        ['s1', 'b1', '250.00'],
        ['s2', 'b2', '-250.00'],
      ]);
      expect(holdingsOf(state, 'USD').map((h) => [h.quantity.toFixed(), money(h.costBasis)])).toEqual([['10', '1500.00']]);
    }
  });
});

describe('split quantities to 8 places', () => {
  it('a 1-for-3 reverse split of 10 shares leaves 3.33333333, which sells to zero', () => {
    const ledger = [
      tx({ id: 'b1', type: 'BUY', symbol: 'X', date: '2023-01-02', quantity: '10', price: '30' }),
      tx({ id: 'split', type: 'SPLIT', symbol: 'X', date: '2023-02-01', splitFrom: '3', splitTo: '1' }),
    ];
    const before = replay(ledger, { method: 'FIFO' });
    const [holding] = holdingsOf(before, 'USD');
    expect(holding!.quantity.toFixed()).toBe('3.33333333');
    expect(money(holding!.costBasis)).toBe('300.00');
    const sold = replay(
      [
        ...ledger,
        tx({
          id: 's',
          type: 'SELL',
          symbol: 'X',
          date: '2023-03-01',
          quantity: holding!.quantity.toFixed(),
          price: '90',
          amount: '299.9999997',
        }),
      ],
      { method: 'FIFO' },
    );
    expect(sold.problems).toEqual([]);
    expect(holdingsOf(sold, 'USD')).toEqual([]);
    expect(sold.lots.every((lot) => !lot.isOpen)).toBe(true);
    // 3.33333333 × 90 − 300 = −0.0000003: the whole cost leaves with the last share.
    expect(realizedBetween(sold, null, null).total.toFixed()).toBe('-0.0000003');
  });
});

describe('CONVERSION', () => {
  it('moves cash between currencies: a USD deposit changed into EUR buys a EUR stock without negative EUR cash', () => {
    const ledger = [
      tx({ id: 'd', type: 'DEPOSIT', date: '2024-01-02', amount: '10000' }),
      tx({ id: 'c', type: 'CONVERSION', date: '2024-01-03', amount: '8800', fee: '5', toAmount: '8000', toCurrency: 'EUR' }),
      tx({ id: 'b', type: 'BUY', symbol: 'SAP.DE', date: '2024-01-04', quantity: '40', price: '180', currency: 'EUR', fxRate: '1.1' }),
    ];
    const state = replay(ledger, { method: 'FIFO' });
    expect(cashBalancesOf(state).map((c) => [c.currency, c.amount.toFixed()])).toEqual([
      ['EUR', '800'],
      ['USD', '1195'],
    ]);
  });

  it('counts a minor unit as its major one (pence arrive as pounds)', () => {
    const ledger = [
      tx({ id: 'd', type: 'DEPOSIT', date: '2024-01-02', amount: '1000' }),
      tx({ id: 'c', type: 'CONVERSION', date: '2024-01-03', amount: '1000', toAmount: '78000', toCurrency: 'GBp' }),
    ];
    expect(cashBalancesOf(replay(ledger, { method: 'FIFO' })).map((c) => [c.currency, c.amount.toFixed()])).toEqual([
      ['GBP', '780'],
      ['USD', '0'],
    ]);
  });
});
