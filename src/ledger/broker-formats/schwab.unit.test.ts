import { describe, expect, it } from 'vitest';
import { schwab } from './schwab.js';
import { golden, rowsOf, withLine } from './test-fixtures.js';

const FILE = golden('schwab-transactions.csv');
const HEADER = '"Date","Action","Symbol","Description","Quantity","Price","Fees & Comm","Amount"';

/** What the golden file holds, oldest first, each with the line it is on. */
const EXPECTED = [
  [
    17,
    null,
    { date: '2024-01-02', type: 'DEPOSIT', amount: '20000', currency: 'USD', notes: 'MoneyLink Transfer: Tfr BANK OF EXAMPLE, JANE DOE' },
  ],
  [
    16,
    null,
    {
      date: '2024-01-03',
      type: 'BUY',
      symbol: 'AAPL',
      quantity: '20',
      price: '184.25',
      fee: '0.65',
      currency: 'USD',
      notes: 'Buy: APPLE INC',
    },
  ],
  [
    15,
    null,
    { date: '2024-01-16', type: 'BUY', symbol: 'MSFT', quantity: '10', price: '390.27', currency: 'USD', notes: 'Buy: MICROSOFT CORP' },
  ],
  [
    14,
    null,
    { date: '2024-02-15', type: 'DIVIDEND', symbol: 'AAPL', amount: '4.8', currency: 'USD', notes: 'Reinvest Dividend: APPLE INC' },
  ],
  [
    13,
    null,
    {
      date: '2024-02-15',
      type: 'BUY',
      symbol: 'AAPL',
      quantity: '0.0259',
      price: '185.04',
      currency: 'USD',
      notes: 'Reinvest Shares: APPLE INC',
    },
  ],
  [
    12,
    null,
    { date: '2024-03-04', type: 'BUY', symbol: 'NVDA', quantity: '10', price: '852.37', currency: 'USD', notes: 'Buy: NVIDIA CORP' },
  ],
  // 10 held + 90 distributed = 10 for 1, on the booking date (the ex-date), not the as-of date.
  [11, null, { date: '2024-06-10', type: 'SPLIT', symbol: 'NVDA', splitFrom: '1', splitTo: '10', notes: 'Stock Split' }],
  [
    10,
    null,
    {
      date: '2024-09-25',
      type: 'FEE',
      symbol: 'ASML',
      amount: '0.4',
      currency: 'USD',
      notes: 'ADR Mgmt Fee: ASML HOLDING NV NY REG SHS ADR',
    },
  ],
  [9, null, { date: '2024-11-14', type: 'DIVIDEND', symbol: 'AAPL', amount: '5', currency: 'USD', notes: 'Cash Dividend: APPLE INC' }],
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
      notes: 'Sell: APPLE INC',
    },
  ],
  [
    7,
    null,
    { date: '2024-11-29', type: 'INTEREST', amount: '1.23', currency: 'USD', notes: 'Bank Interest: BANK INT 103124-112824 SCHWAB BANK' },
  ],
  // The NRA Tax Adj of line 6 is this dividend's fee.
  [
    5,
    null,
    {
      date: '2024-12-12',
      type: 'DIVIDEND',
      symbol: 'MSFT',
      amount: '8.3',
      fee: '2.49',
      currency: 'USD',
      notes: 'Qualified Dividend: MICROSOFT CORP',
    },
  ],
  [
    4,
    null,
    { date: '2024-12-27', type: 'WITHDRAWAL', amount: '1000', currency: 'USD', notes: 'MoneyLink Transfer: Tfr BANK OF EXAMPLE, JANE DOE' },
  ],
  [3, null, { date: '2024-12-30', type: 'DEPOSIT', amount: '250', currency: 'USD', notes: 'Journal: JOURNAL FRM ...456' }],
];

describe('Schwab transactions CSV', () => {
  it('reads every action of the golden file, oldest first, and leaves the title and the total line out', () => {
    const file = schwab.read(FILE);
    expect(file.problems).toEqual([]);
    expect(rowsOf(file)).toEqual(EXPECTED);
  });

  it('reads the file without its title line the same (rows one line up)', () => {
    const untitled = FILE.split('\r\n').slice(1).join('\r\n');
    const file = schwab.read(untitled);
    expect(file.problems).toEqual([]);
    expect(rowsOf(file)).toEqual(EXPECTED.map(([row, id, fields]) => [(row as number) - 1, id, fields]));
  });

  it('turns a newest-first file round, and reads an oldest-first one as it is', () => {
    const lines = FILE.trimEnd().split('\r\n');
    const oldestFirst = [lines[0], lines[1], ...lines.slice(2, -1).reverse(), lines.at(-1)].join('\r\n');
    const file = schwab.read(oldestFirst);
    expect(file.problems).toEqual([]);
    expect(file.rows.map((r) => r.fields)).toEqual(EXPECTED.map(([, , fields]) => fields));
  });

  it('names the row and the action text of an unknown action, and reads the rest', () => {
    const file = schwab.read(withLine(FILE, 10, '"09/25/2024","Stock Merger","ASML","ASML HOLDING NV","10","","",""'));
    expect(file.problems).toEqual([{ row: 10, field: 'type', message: 'unknown action "Stock Merger"' }]);
    expect(file.rows).toHaveLength(EXPECTED.length - 1);
  });

  it('refuses malformed amounts and dates on their row', () => {
    let file = schwab.read(withLine(FILE, 8, '"11/15/2024","Sell","AAPL","APPLE INC","5","$228.02","$0.03","$1,14,0.07"'));
    expect(file.problems).toEqual([{ row: 8, field: 'amount', message: '"$1,14,0.07" is not an amount such as -$1,856.40' }]);
    file = schwab.read(withLine(FILE, 8, '"11/31/2024","Sell","AAPL","APPLE INC","5","$228.02","$0.03","$1,140.07"'));
    expect(file.problems).toEqual([{ row: 8, field: 'date', message: '"11/31/2024" is not a date MM/DD/YYYY' }]);
    file = schwab.read(withLine(FILE, 8, '"2024-11-15","Sell","AAPL","APPLE INC","5","228.02","","1140.10"'));
    expect(file.problems.map((p) => [p.row, p.field])).toEqual([[8, 'date']]);
  });

  it('reads a split, a journal of shares and a tax refund', () => {
    const text = [
      HEADER,
      '"07/15/2024 as of 07/12/2024","Stock Split","AVGO","BROADCOM INC","9","","",""',
      '"06/13/2024","Buy","AVGO","BROADCOM INC","1","$1680.00","","-$1680.00"',
      '"05/22/2023","Journaled Shares","MSFT","MICROSOFT CORP","-3","$318.52","",""',
      '"05/01/2023","Journaled Shares","MSFT","MICROSOFT CORP","5","$305.41","",""',
    ].join('\n');
    const file = schwab.read(text);
    expect(file.problems).toEqual([]);
    expect(file.rows.map((r) => r.fields)).toEqual([
      {
        date: '2023-05-01',
        type: 'TRANSFER_IN',
        symbol: 'MSFT',
        quantity: '5',
        price: '305.41',
        currency: 'USD',
        notes: 'Journaled Shares: MICROSOFT CORP',
      },
      {
        date: '2023-05-22',
        type: 'TRANSFER_OUT',
        symbol: 'MSFT',
        quantity: '3',
        price: '318.52',
        currency: 'USD',
        notes: 'Journaled Shares: MICROSOFT CORP',
      },
      { date: '2024-06-13', type: 'BUY', symbol: 'AVGO', quantity: '1', price: '1680', currency: 'USD', notes: 'Buy: BROADCOM INC' },
      { date: '2024-07-15', type: 'SPLIT', symbol: 'AVGO', splitFrom: '1', splitTo: '10', notes: 'Stock Split' },
    ]);
  });

  it('refuses a split of shares the file does not show held, and a withholding refund without its dividend', () => {
    const file = schwab.read(
      [
        HEADER,
        '"06/10/2024","Stock Split","NVDA","NVIDIA CORP","90","","",""',
        '"03/01/2024","NRA Tax Adj","MSFT","MICROSOFT CORP","","","","$0.40"',
      ].join('\n'),
    );
    expect(file.rows).toEqual([]);
    expect(file.problems).toEqual([
      { row: 2, field: 'type', message: expect.stringContaining('"Stock Split" adds 90 NVDA without a ratio') },
      { row: 3, field: 'amount', message: expect.stringContaining('a refund of withheld tax (0.4 USD)') },
    ]);
  });

  it('says what is wrong with a file that is not a Schwab export', () => {
    expect(schwab.read('"Date","What"\n"01/02/2024","x"').problems).toEqual([
      { row: 1, message: expect.stringContaining('no header line') },
    ]);
    expect(schwab.read(`${HEADER}\n"01/02/2024","Buy","AAPL","APPLE","1","$1.00","","-$1.00`).problems).toEqual([
      { row: 2, message: 'the file cannot be read as CSV: a quoted field is never closed' },
    ]);
  });

  it('reads the JSON export the same (rows are positions in BrokerageTransactions)', () => {
    const json = JSON.stringify({
      FromDate: '01/01/2024',
      ToDate: '12/31/2024',
      TotalTransactionsAmount: '$19,000.00',
      BrokerageTransactions: [
        {
          Date: '12/12/2024',
          Action: 'Qualified Dividend',
          Symbol: 'MSFT',
          Description: 'MICROSOFT CORP',
          Quantity: '',
          Price: '',
          'Fees & Comm': '',
          Amount: '$8.30',
        },
        {
          Date: '12/12/2024',
          Action: 'NRA Tax Adj',
          Symbol: 'MSFT',
          Description: 'MICROSOFT CORP',
          Quantity: '',
          Price: '',
          'Fees & Comm': '',
          Amount: '-$2.49',
        },
        {
          Date: '01/16/2024',
          Action: 'Buy',
          Symbol: 'MSFT',
          Description: 'MICROSOFT CORP',
          Quantity: '10',
          Price: '$390.27',
          'Fees & Comm': '',
          Amount: '-$3,902.70',
        },
        {
          Date: '01/02/2024',
          Action: 'Wire Funds Received',
          Symbol: '',
          Description: 'WIRED FUNDS RECEIVED',
          Quantity: '',
          Price: '',
          'Fees & Comm': '',
          Amount: '$19,000.00',
        },
        { Date: '01/01/2024', Action: 'Gift', Symbol: '', Description: '', Quantity: '', Price: '', 'Fees & Comm': '', Amount: '$1.00' },
      ],
    });
    expect(schwab.detect(json)).toBe(true);
    const file = schwab.read(json);
    expect(file.problems).toEqual([{ row: 5, field: 'type', message: 'unknown action "Gift"' }]);
    expect(rowsOf(file).map(([row, , f]) => [row, f.type, f.amount ?? f.quantity, f.fee])).toEqual([
      [4, 'DEPOSIT', '19000', undefined],
      [3, 'BUY', '10', undefined],
      [1, 'DIVIDEND', '8.3', '2.49'],
    ]);
    expect(schwab.read('{"BrokerageTransactions": 3}').problems).toEqual([
      { row: 1, message: 'a Schwab JSON export has a BrokerageTransactions list' },
    ]);
  });
});
