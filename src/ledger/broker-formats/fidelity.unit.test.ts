import { describe, expect, it } from 'vitest';
import { fidelity } from './fidelity.js';
import { golden, rowsOf, withLine } from './test-fixtures.js';

const FILE = golden('fidelity-history.csv');
const HEADER =
  'Run Date,Action,Symbol,Description,Type,Quantity,Price ($),Commission ($),Fees ($),Accrued Interest ($),Amount ($),Cash Balance ($),Settlement Date';
const notes = (action: string, description: string) => `${action}: ${description}`;

const EXPECTED = [
  [
    16,
    null,
    {
      date: '2024-01-02',
      type: 'DEPOSIT',
      amount: '20000',
      currency: 'USD',
      notes: notes('Electronic Funds Transfer Received (Cash)', 'No Description'),
    },
  ],
  [
    15,
    null,
    {
      date: '2024-01-03',
      type: 'BUY',
      symbol: 'AAPL',
      quantity: '20',
      price: '184.25',
      fee: '0.65',
      currency: 'USD',
      notes: notes('YOU BOUGHT APPLE INC (AAPL) (Cash)', 'APPLE INC'),
    },
  ],
  [
    14,
    null,
    {
      date: '2024-01-16',
      type: 'BUY',
      symbol: 'MSFT',
      quantity: '10',
      price: '390.27',
      currency: 'USD',
      notes: notes('YOU BOUGHT MICROSOFT CORP (MSFT) (Cash)', 'MICROSOFT CORP'),
    },
  ],
  [
    13,
    null,
    {
      date: '2024-02-15',
      type: 'DIVIDEND',
      symbol: 'AAPL',
      amount: '4.8',
      currency: 'USD',
      notes: notes('DIVIDEND RECEIVED APPLE INC (AAPL) (Cash)', 'APPLE INC'),
    },
  ],
  [
    12,
    null,
    {
      date: '2024-02-15',
      type: 'BUY',
      symbol: 'AAPL',
      quantity: '0.026',
      price: '184.62',
      currency: 'USD',
      notes: notes('REINVESTMENT APPLE INC (AAPL) (Cash)', 'APPLE INC'),
    },
  ],
  [
    11,
    null,
    {
      date: '2024-03-04',
      type: 'BUY',
      symbol: 'NVDA',
      quantity: '10',
      price: '852.37',
      currency: 'USD',
      notes: notes('YOU BOUGHT NVIDIA CORPORATION (NVDA) (Cash)', 'NVIDIA CORPORATION'),
    },
  ],
  // 90 shares distributed on 10 held: the 10-for-1 split.
  [
    10,
    null,
    {
      date: '2024-06-10',
      type: 'SPLIT',
      symbol: 'NVDA',
      splitFrom: '1',
      splitTo: '10',
      notes: 'DISTRIBUTION NVIDIA CORPORATION (NVDA) (Cash)',
    },
  ],
  [
    9,
    null,
    {
      date: '2024-10-01',
      type: 'FEE',
      amount: '25',
      currency: 'USD',
      notes: notes('FEE CHARGED ANNUAL ACCOUNT FEE (Cash)', 'ANNUAL ACCOUNT FEE'),
    },
  ],
  [
    8,
    null,
    {
      date: '2024-11-15',
      type: 'SELL',
      symbol: 'AAPL',
      quantity: '5',
      price: '228.02',
      fee: '0.03',
      currency: 'USD',
      notes: notes('YOU SOLD APPLE INC (AAPL) (Cash)', 'APPLE INC'),
    },
  ],
  [
    7,
    null,
    {
      date: '2024-12-02',
      type: 'INTEREST',
      amount: '1.07',
      currency: 'USD',
      notes: notes(
        'INTEREST EARNED FDIC INSURED DEPOSIT AT BANK OF EXAMPLE NOT COVERED BY SIPC (QPCTQ) (Cash)',
        'FDIC INSURED DEPOSIT AT BANK OF EXAMPLE NOT COVERED BY SIPC',
      ),
    },
  ],
  // FOREIGN TAX PAID (line 5) is this dividend's fee.
  [
    6,
    null,
    {
      date: '2024-12-12',
      type: 'DIVIDEND',
      symbol: 'MSFT',
      amount: '8.3',
      fee: '1.25',
      currency: 'USD',
      notes: notes('DIVIDEND RECEIVED MICROSOFT CORP (MSFT) (Cash)', 'MICROSOFT CORP'),
    },
  ],
  [
    4,
    null,
    {
      date: '2024-12-20',
      type: 'WITHDRAWAL',
      amount: '500',
      currency: 'USD',
      notes: notes('ELECTRONIC FUNDS TRANSFER PAID (Cash)', 'No Description'),
    },
  ],
];

describe('Fidelity history CSV', () => {
  it('reads every action of the golden file oldest first, past the blank lines before the header and the disclaimer after the rows', () => {
    const file = fidelity.read(FILE);
    expect(file.problems).toEqual([]);
    expect(rowsOf(file)).toEqual(EXPECTED);
  });

  it('reads the older column names (Security Description, no Cash Balance) and an oldest-first file', () => {
    const text = [
      'Run Date,Account,Action,Symbol,Security Description,Security Type,Quantity,Price ($),Commission ($),Fees ($),Accrued Interest ($),Amount ($),Settlement Date',
      '01/03/2024,Individual,YOU BOUGHT APPLE INC (AAPL) (Cash),AAPL,APPLE INC,Cash,20,184.25,0.65,,,-3685.65,01/05/2024',
      '01/04/2024,Individual,YOU SOLD APPLE INC (AAPL) (Cash),AAPL,APPLE INC,Cash,-20,185,,0.05,,3699.95,01/08/2024',
    ].join('\n');
    const file = fidelity.read(text);
    expect(file.problems).toEqual([]);
    expect(file.rows.map((r) => [r.row, r.fields.type, r.fields.quantity, r.fields.fee])).toEqual([
      [2, 'BUY', '20', '0.65'],
      [3, 'SELL', '20', '0.05'],
    ]);
  });

  it('names the row and the action text of an unknown action', () => {
    const file = fidelity.read(
      withLine(
        FILE,
        9,
        '10/01/2024,"ASSIGNED as of Oct-01-2024 PUT (AAPL) APPLE INC OCT 18 24 $200 (100 SHS) (Margin)",-AAPL241018P200,PUT (AAPL),Margin,1,,,,,,,',
      ),
    );
    expect(file.problems).toEqual([
      {
        row: 9,
        field: 'type',
        message: 'unknown action "ASSIGNED as of Oct-01-2024 PUT (AAPL) APPLE INC OCT 18 24 $200 (100 SHS) (Margin)"',
      },
    ]);
    expect(file.rows).toHaveLength(EXPECTED.length - 1);
  });

  it('refuses a malformed amount or date on its row', () => {
    let file = fidelity.read(
      withLine(FILE, 8, '11/15/2024,"YOU SOLD APPLE INC (AAPL) (Cash)",AAPL,APPLE INC,Cash,-5,228.02,,0.03,,1140.07.1,4295.69,11/18/2024'),
    );
    expect(file.problems).toEqual([{ row: 8, field: 'amount', message: '"1140.07.1" is not an amount such as -1505.00' }]);
    file = fidelity.read(
      withLine(FILE, 8, '15/11/2024,"YOU SOLD APPLE INC (AAPL) (Cash)",AAPL,APPLE INC,Cash,-5,228.02,,0.03,,1140.07,4295.69,11/18/2024'),
    );
    expect(file.problems).toEqual([{ row: 8, field: 'date', message: '"15/11/2024" is not a date MM/DD/YYYY' }]);
  });

  it('refuses a trade without a price and a file without its header', () => {
    const file = fidelity.read(`${HEADER}\n01/03/2024,YOU BOUGHT APPLE INC (AAPL) (Cash),AAPL,APPLE INC,Cash,20,,,,,-3685.65,,`);
    expect(file.problems).toEqual([{ row: 2, field: 'price', message: '"YOU BOUGHT APPLE INC (AAPL) (Cash)" needs a price' }]);
    expect(fidelity.read('Date,Action\n01/03/2024,YOU BOUGHT').problems).toEqual([
      { row: 1, message: expect.stringContaining('no header line') },
    ]);
  });
});
