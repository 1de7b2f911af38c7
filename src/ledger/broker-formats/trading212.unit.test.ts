import { describe, expect, it } from 'vitest';
import { golden, rowsOf, withLine } from './test-fixtures.js';
import { trading212 } from './trading212.js';

const FILE = golden('trading212-history.csv');
const HEADER = FILE.split('\n')[0]!;

const EXPECTED = [
  [
    2,
    '2b8e4a61-5f0c-4d1e-9b7a-3c2f1e0d9a11',
    { date: '2024-01-02', type: 'DEPOSIT', amount: '5000', currency: 'EUR', notes: 'Transaction ID: QX7C1E2T9A' },
  ],
  // The conversion fee, 2.52 EUR, in dollars at the row's rate of 1.095 USD per EUR.
  [
    3,
    'EOF1000000001',
    { date: '2024-01-03', type: 'BUY', symbol: 'AAPL', quantity: '10', price: '184.25', fee: '2.7594', currency: 'USD', notes: 'Apple' },
  ],
  [
    4,
    'EOF1000000002',
    { date: '2024-01-16', type: 'BUY', symbol: 'MSFT', quantity: '5', price: '390.27', fee: '2.9321', currency: 'USD', notes: 'Microsoft' },
  ],
  [
    5,
    '8f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
    {
      date: '2024-02-01',
      type: 'CONVERSION',
      amount: '1000',
      currency: 'EUR',
      toAmount: '1081.4',
      toCurrency: 'USD',
      fee: '1.5',
      notes: '1000.00 EUR -> 1081.40 USD',
    },
  ],
  // Gross 10 × 0.24 USD, the 0.36 USD withheld its fee.
  [6, null, { date: '2024-02-15', type: 'DIVIDEND', symbol: 'AAPL', amount: '2.4', fee: '0.36', currency: 'USD', notes: 'Apple' }],
  [
    7,
    'EOF1000000003',
    { date: '2024-03-04', type: 'BUY', symbol: 'NVDA', quantity: '2', price: '852.37', fee: '2.5606', currency: 'USD', notes: 'NVIDIA' },
  ],
  [8, null, { date: '2024-03-14', type: 'DIVIDEND', symbol: 'MSFT', amount: '3.75', fee: '0.56', currency: 'USD', notes: 'Microsoft' }],
  [
    9,
    '4c5d6e7f-8091-4a2b-bc3d-4e5f60718293',
    { date: '2024-03-31', type: 'INTEREST', amount: '1.23', currency: 'EUR', notes: 'Interest on cash' },
  ],
  // "Stock split close" of 2 and "Stock split open" of 20: 10 for 1.
  [10, null, { date: '2024-06-10', type: 'SPLIT', symbol: 'NVDA', splitFrom: '1', splitTo: '10' }],
  [
    12,
    'EOF1000000004',
    { date: '2024-11-15', type: 'SELL', symbol: 'AAPL', quantity: '4', price: '228.02', fee: '1.38074', currency: 'USD', notes: 'Apple' },
  ],
  [
    13,
    '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d',
    { date: '2024-12-20', type: 'WITHDRAWAL', amount: '500', currency: 'EUR', notes: 'Sent to Bank Account NL00EXMP0123456789' },
  ],
];

describe('Trading 212 CSV', () => {
  it('reads every action of the golden file, with its ID as the broker id', () => {
    const file = trading212.read(FILE);
    expect(file.problems).toEqual([]);
    expect(rowsOf(file)).toEqual(EXPECTED);
  });

  it('reads the newer "Time (UTC)" header, charges in columns of their own and a dividend withheld in the account currency', () => {
    const text = [
      'Action,Time (UTC),ISIN,Ticker,Name,Notes,ID,No. of shares,Price / share,Currency (Price / share),Exchange rate,Result,Currency (Result),Total,Currency (Total),Withholding tax,Currency (Withholding tax),Stamp duty reserve tax,Currency (Stamp duty reserve tax),Transaction fee,Currency (Transaction fee)',
      'Market buy,2024-05-02 08:00:01+00:00,GB0007980591,BP,"BP",,EOF2,10,480,GBX,1,,,48.34,"GBP",,,0.24,"GBP",0.1,"GBX"',
      'Dividend (Dividend),2024-06-28 10:00:00+00:00,GB0007980591,BP,"BP",,,10,0.0598,GBP,Not available,,,0.54,"GBP",0.06,GBP,,,,',
    ].join('\n');
    const file = trading212.read(text);
    expect(file.problems).toEqual([]);
    expect(file.rows.map((r) => r.fields)).toEqual([
      // 0.24 GBP of stamp duty is 24 pence, plus a 0.1 pence fee.
      { date: '2024-05-02', type: 'BUY', symbol: 'BP', quantity: '10', price: '480', fee: '24.1', currency: 'GBX', notes: 'BP' },
      { date: '2024-06-28', type: 'DIVIDEND', symbol: 'BP', amount: '0.6', fee: '0.06', currency: 'GBP', notes: 'BP' },
    ]);
  });

  it('names the row and the action text of an unknown action', () => {
    const file = trading212.read(withLine(FILE, 9, 'Card debit,2024-03-31 22:06:41.36,,,,"Coffee",4c5d6e7f,,,,,,,-3.20,"EUR",,,,,,,,'));
    expect(file.problems).toEqual([{ row: 9, field: 'type', message: 'unknown action "Card debit"' }]);
    expect(file.rows).toHaveLength(EXPECTED.length - 1);
  });

  it('refuses a malformed number or time on its row', () => {
    let file = trading212.read(
      withLine(
        FILE,
        3,
        'Market buy,2024-01-03 14:30:05.117,US0378331005,AAPL,"Apple",,EOF1000000001,10,184,25,USD,1.09500,,"EUR",1685.00,"EUR",,,,,,,2.52,"EUR"',
      ),
    );
    expect(file.problems).toEqual([{ row: 3, message: 'has 24 cells where the header has 23 (a number with a comma must be in quotes)' }]);
    file = trading212.read(
      withLine(
        FILE,
        3,
        'Market buy,03/01/2024 14:30,US0378331005,AAPL,"Apple",,EOF1000000001,10,184.25,USD,1.09500,,"EUR",1685.00,"EUR",,,,,,,2.52,"EUR"',
      ),
    );
    expect(file.problems).toEqual([{ row: 3, field: 'date', message: '"03/01/2024 14:30" is not a time YYYY-MM-DD HH:MM:SS' }]);
  });

  it('refuses half a stock split and a fee it cannot convert', () => {
    const file = trading212.read(
      [
        HEADER,
        'Stock split open,2024-06-10 05:10:02,US67066G1040,NVDA,"NVIDIA",,,20,120.888,USD,1,,"EUR",0.00,"EUR",,,,,,,,',
        'Market buy,2024-03-04 14:45:52.330,US67066G1040,NVDA,"NVIDIA",,EOF3,2,852.37,USD,Not available,,"EUR",1572.66,"EUR",,,,,,,2.36,"EUR"',
      ].join('\n'),
    );
    expect(file.rows).toEqual([]);
    expect(file.problems).toEqual([
      { row: 2, field: 'type', message: '"Stock split open" of NVDA on 2024-06-10 without its "Stock split close"' },
      { row: 3, field: 'fee', message: 'Currency conversion fee is in EUR, and "Not available" is no exchange rate to convert it to USD' },
    ]);
  });
});
