import { describe, expect, it } from 'vitest';
import { degiro } from './degiro.js';
import { golden, rowsOf, withLine } from './test-fixtures.js';

const TRANSACTIONS = golden('degiro-transactions.csv');
const ACCOUNT = golden('degiro-account.csv');
const APPLE = 'US0378331005';
const AAPL_BUY = '3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f';
const AAPL_SELL = '5d1e0c4a-7b2f-4e8a-9c6d-1f2e3a4b5c6d';
const MSFT_BUY = 'c0ffee00-1234-4abc-9def-0123456789ab';
const WORLD = '8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d';

const EXPECTED_TRADES = [
  // 2,00 EUR of costs at 1,0950 USD per EUR.
  [
    5,
    AAPL_BUY,
    {
      date: '2024-01-03',
      type: 'BUY',
      symbol: APPLE,
      quantity: '10',
      price: '184.25',
      fee: '2.19',
      currency: 'USD',
      notes: 'APPLE INC. - COMMON ST',
    },
  ],
  // Two fills of one order: the later one's id gets #2.
  [
    4,
    WORLD,
    {
      date: '2024-01-16',
      type: 'BUY',
      symbol: 'IE00B4L5Y983',
      quantity: '15',
      price: '80.5',
      fee: '1',
      currency: 'EUR',
      notes: 'ISHARES CORE MSCI WORLD UCITS ETF USD (ACC)',
    },
  ],
  [
    3,
    `${WORLD}#2`,
    {
      date: '2024-01-16',
      type: 'BUY',
      symbol: 'IE00B4L5Y983',
      quantity: '5',
      price: '80.52',
      currency: 'EUR',
      notes: 'ISHARES CORE MSCI WORLD UCITS ETF USD (ACC)',
    },
  ],
  [
    2,
    AAPL_SELL,
    {
      date: '2024-11-15',
      type: 'SELL',
      symbol: APPLE,
      quantity: '4',
      price: '228.02',
      fee: '2.108',
      currency: 'USD',
      notes: 'APPLE INC. - COMMON ST',
    },
  ],
];

describe('DEGIRO Transactions CSV', () => {
  it('reads the golden file: buys and sells, decimal commas, newest first turned round, the Order ID as the broker id', () => {
    const file = degiro.read(TRANSACTIONS);
    expect(file.problems).toEqual([]);
    expect(rowsOf(file)).toEqual(EXPECTED_TRADES);
  });

  it('reads the Dutch header and decimal points the same', () => {
    const dutch = TRANSACTIONS.replace(
      /^.*\n/,
      'Datum,Tijd,Product,ISIN,Beurs,Uitvoeringsplaats,Aantal,Koers,,Lokale waarde,,Waarde,,Wisselkoers,Transactiekosten en/of,,Totaal,,Order ID\n',
    ).replace(/"(-?\d+),(\d+)"/g, '$1.$2');
    const file = degiro.read(dutch);
    expect(file.problems).toEqual([]);
    expect(rowsOf(file)).toEqual(EXPECTED_TRADES);
  });

  it('refuses a malformed number or date on its row', () => {
    let file = degiro.read(
      withLine(
        TRANSACTIONS,
        2,
        '15-11-2024,16:11,APPLE INC. - COMMON ST,US0378331005,NDQ,XNAS,-4,"1.228,02",USD,"912,08",USD,"865,35",EUR,"1,0540","-2,00",EUR,"863,35",EUR,x',
      ),
    );
    expect(file.problems).toEqual([{ row: 2, field: 'price', message: '"1.228,02" is not a number such as -79,35' }]);
    file = degiro.read(
      withLine(
        TRANSACTIONS,
        2,
        '2024-11-15,16:11,APPLE INC. - COMMON ST,US0378331005,NDQ,XNAS,-4,"228,02",USD,"912,08",USD,"865,35",EUR,"1,0540","-2,00",EUR,"863,35",EUR,x',
      ),
    );
    expect(file.problems).toEqual([{ row: 2, field: 'date', message: '"2024-11-15" is not a date DD-MM-YYYY' }]);
  });
});

describe('DEGIRO Account statement CSV', () => {
  it('reads the golden file: trades with their costs, currency exchanges, dividends with their tax, deposits, fees, interest; internal moves left out', () => {
    const file = degiro.read(ACCOUNT);
    expect(file.problems).toEqual([]);
    expect(rowsOf(file)).toEqual([
      [22, null, { date: '2024-01-02', type: 'DEPOSIT', amount: '10000', currency: 'EUR', notes: 'iDEAL Deposit' }],
      // The same trade, id and fee as the Transactions export's: importing both adds it once.
      [
        21,
        AAPL_BUY,
        {
          date: '2024-01-03',
          type: 'BUY',
          symbol: APPLE,
          quantity: '10',
          price: '184.25',
          fee: '2.19',
          currency: 'USD',
          notes: 'APPLE INC. - COMMON ST',
        },
      ],
      [
        18,
        `${AAPL_BUY}:fx`,
        { date: '2024-01-03', type: 'CONVERSION', amount: '1682.65', currency: 'EUR', toAmount: '1842.5', toCurrency: 'USD' },
      ],
      // The Order Id that wrapped onto a line of its own is whole again.
      [
        17,
        MSFT_BUY,
        {
          date: '2024-01-16',
          type: 'BUY',
          symbol: 'US5949181045',
          quantity: '10',
          price: '390.27',
          fee: '2.18',
          currency: 'USD',
          notes: 'MICROSOFT CORP',
        },
      ],
      [
        13,
        `${MSFT_BUY}:fx`,
        { date: '2024-01-16', type: 'CONVERSION', amount: '3580.46', currency: 'EUR', toAmount: '3902.7', toCurrency: 'USD' },
      ],
      [
        10,
        null,
        { date: '2024-02-05', type: 'FEE', amount: '2.5', currency: 'EUR', notes: 'DEGIRO Aansluitingskosten 2024 (Nasdaq - NDQ)' },
      ],
      [9, null, { date: '2024-03-31', type: 'INTEREST', amount: '0.87', currency: 'EUR', notes: 'Rente' }],
      [
        8,
        AAPL_SELL,
        {
          date: '2024-11-15',
          type: 'SELL',
          symbol: APPLE,
          quantity: '4',
          price: '228.02',
          fee: '2.108',
          currency: 'USD',
          notes: 'APPLE INC. - COMMON ST',
        },
      ],
      [
        5,
        `${AAPL_SELL}:fx`,
        { date: '2024-11-15', type: 'CONVERSION', amount: '912.08', currency: 'USD', toAmount: '865.35', toCurrency: 'EUR' },
      ],
      [
        4,
        null,
        {
          date: '2024-12-16',
          type: 'DIVIDEND',
          symbol: 'US5949181045',
          amount: '8.3',
          fee: '1.24',
          currency: 'USD',
          notes: 'MICROSOFT CORP',
        },
      ],
      [2, null, { date: '2024-12-20', type: 'WITHDRAWAL', amount: '250', currency: 'EUR', notes: 'flatex terugstorting' }],
    ]);
  });

  it('names the row and the description it does not know, and one side of an exchange without the other', () => {
    let file = degiro.read(withLine(ACCOUNT, 9, '31-03-2024,23:59,31-03-2024,,,Geldmarktfonds Conversie,,EUR,"0,87",EUR,"4734,59",'));
    expect(file.problems).toEqual([{ row: 9, field: 'type', message: 'unknown description "Geldmarktfonds Conversie"' }]);
    file = degiro.read(withLine(ACCOUNT, 5, ''));
    expect(file.problems).toEqual([
      { row: 6, field: 'type', message: '"Valuta Debitering" without the other side of its currency exchange' },
    ]);
  });

  it('a file with neither header is refused', () => {
    expect(degiro.read('Datum,Omschrijving\n01-01-2024,x').problems).toEqual([
      { row: 1, message: expect.stringContaining('no DEGIRO header') },
    ]);
  });
});
