import { describe, expect, it } from 'vitest';
import { ibkrFlex } from './ibkr-flex.js';
import { golden, rowsOf } from './test-fixtures.js';

const FILE = golden('ibkr-flex.xml');

/** A Flex document around the given elements of one statement. */
const flex = (sections: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<FlexQueryResponse queryName="q" type="AF">\n<FlexStatements count="1">\n<FlexStatement accountId="U1">\n${sections}\n</FlexStatement>\n</FlexStatements>\n</FlexQueryResponse>\n`;

describe('Interactive Brokers Flex Query XML', () => {
  it('reads trades, currency exchanges, cash transactions and splits of the golden file, oldest first, each with its line', () => {
    const file = ibkrFlex.read(FILE);
    expect(file.problems).toEqual([]);
    expect(rowsOf(file)).toEqual([
      [
        13,
        'cash:2500200101',
        { date: '2024-01-02', type: 'DEPOSIT', amount: '20000', currency: 'USD', notes: 'CASH RECEIPTS / ELECTRONIC FUND TRANSFERS' },
      ],
      [
        6,
        '700100101',
        { date: '2024-01-03', type: 'BUY', symbol: 'AAPL', quantity: '20', price: '184.25', fee: '1', currency: 'USD', notes: 'APPLE INC' },
      ],
      // 1,000 EUR bought for 1,081.40 USD, the 2 USD commission its fee.
      [
        7,
        '700100102',
        {
          date: '2024-02-01',
          type: 'CONVERSION',
          amount: '1081.4',
          currency: 'USD',
          toAmount: '1000',
          toCurrency: 'EUR',
          fee: '2',
          notes: 'EUR.USD',
        },
      ],
      // The withholding on the next line is the dividend's fee.
      [
        14,
        'cash:2500200102',
        {
          date: '2024-02-15',
          type: 'DIVIDEND',
          symbol: 'AAPL',
          amount: '4.8',
          fee: '0.72',
          currency: 'USD',
          notes: 'AAPL(US0378331005) CASH DIVIDEND USD 0.24 PER SHARE (Ordinary Dividend)',
        },
      ],
      // &amp; decoded.
      [
        16,
        'cash:2500200104',
        { date: '2024-03-01', type: 'FEE', amount: '10', currency: 'USD', notes: 'P*****55 MARKET DATA FEE - FEB 2024 (NASDAQ & NYSE)' },
      ],
      [
        8,
        '700100103',
        {
          date: '2024-03-04',
          type: 'BUY',
          symbol: 'NVDA',
          quantity: '10',
          price: '852.37',
          fee: '1',
          currency: 'USD',
          notes: 'NVIDIA CORP',
        },
      ],
      [
        17,
        'cash:2500200105',
        { date: '2024-03-05', type: 'INTEREST', amount: '3.12', currency: 'USD', notes: 'USD CREDIT INT FOR FEB-2024' },
      ],
      // On the report date (the ex-date), not the evening before.
      [
        23,
        'ca:136000101',
        {
          date: '2024-06-10',
          type: 'SPLIT',
          symbol: 'NVDA',
          splitFrom: '1',
          splitTo: '10',
          notes: 'NVDA(US67066G1040) SPLIT 10 FOR 1 (NVDA, NVIDIA CORP, US67066G1040)',
        },
      ],
      // Withholding without its dividend in the file: a TAX of its own.
      [
        18,
        'cash:2500200106',
        {
          date: '2024-06-27',
          type: 'TAX',
          symbol: 'NVDA',
          amount: '0.03',
          currency: 'USD',
          notes: 'NVDA(US67066G1040) CASH DIVIDEND USD 0.01 PER SHARE - US TAX',
        },
      ],
      [
        9,
        '700100104',
        {
          date: '2024-11-15',
          type: 'SELL',
          symbol: 'AAPL',
          quantity: '5',
          price: '228.02',
          fee: '1.0012',
          currency: 'USD',
          notes: 'APPLE INC',
        },
      ],
      [
        19,
        'cash:2500200107',
        { date: '2024-12-20', type: 'WITHDRAWAL', amount: '500', currency: 'USD', notes: 'DISBURSEMENT INITIATED BY JANE DOE' },
      ],
    ]);
  });

  it('keeps the order of one day when a later section starts earlier than an earlier one ends', () => {
    const file = ibkrFlex.read(
      flex(
        [
          '<Trades>',
          '<Trade currency="USD" assetCategory="STK" symbol="AAPL" tradeID="1" tradeDate="20241115" quantity="1" tradePrice="228" buySell="BUY" />',
          '<Trade currency="USD" assetCategory="STK" symbol="AAPL" tradeID="2" tradeDate="20241115" quantity="-1" tradePrice="229" buySell="SELL" />',
          '</Trades>',
          '<CashTransactions>',
          '<CashTransaction currency="USD" type="Deposits/Withdrawals" amount="1000" dateTime="20240102" transactionID="3" />',
          '</CashTransactions>',
        ].join('\n'),
      ),
    );
    expect(file.rows.map((r) => [r.externalId, r.fields.type])).toEqual([
      ['cash:3', 'DEPOSIT'],
      ['1', 'BUY'],
      ['2', 'SELL'],
    ]);
  });

  it("names instruments as our market symbols do: the listing's suffix, share classes with a dash", () => {
    const trade = (symbol: string, exchange: string, currency: string) =>
      `<Trade currency="${currency}" assetCategory="STK" symbol="${symbol}" listingExchange="${exchange}" tradeID="${symbol}" tradeDate="20240301" quantity="1" tradePrice="10" buySell="BUY" />`;
    const file = ibkrFlex.read(
      flex(
        [
          '<Trades>',
          trade('SAP', 'IBIS', 'EUR'),
          trade('BP.', 'LSE', 'GBP'),
          trade('BRK B', 'NYSE', 'USD'),
          trade('ASML', 'AEB', 'EUR'),
          trade('7203', 'TSEJ', 'JPY'),
          trade('XYZ', 'PINK', 'USD'),
          '</Trades>',
          '<CashTransactions>',
          '<CashTransaction currency="EUR" symbol="SAP" listingExchange="IBIS" type="Dividends" amount="2.2" dateTime="20240515" />',
          '</CashTransactions>',
        ].join('\n'),
      ),
    );
    expect(file.problems).toEqual([]);
    expect(file.rows.map((r) => r.fields.symbol)).toEqual(['SAP.DE', 'BP.L', 'BRK-B', 'ASML.AS', '7203.T', 'XYZ', 'SAP.DE']);
  });

  it('sells currency with the commission taken from what arrives, and reads yyyy-MM-dd dates', () => {
    const file = ibkrFlex.read(
      flex(
        '<Trades>\n<Trade currency="USD" assetCategory="CASH" symbol="EUR.USD" tradeID="1" tradeDate="2024-03-01" quantity="-500" tradePrice="1.08" proceeds="540" ibCommission="-2" ibCommissionCurrency="USD" buySell="SELL" levelOfDetail="EXECUTION" />\n</Trades>',
      ),
    );
    expect(file.problems).toEqual([]);
    expect(file.rows.map((r) => r.fields)).toEqual([
      {
        date: '2024-03-01',
        type: 'CONVERSION',
        amount: '500',
        currency: 'EUR',
        toAmount: '538',
        toCurrency: 'USD',
        notes: 'EUR.USD · commission 2 USD deducted',
      },
    ]);
  });

  it('names the row of an unknown cash transaction type, a corporate action it does not read and an option trade', () => {
    const file = ibkrFlex.read(
      flex(
        [
          '<Trades>',
          '<Trade currency="USD" assetCategory="OPT" symbol="AAPL  240315C00190000" tradeID="9" tradeDate="20240301" quantity="1" tradePrice="2.5" buySell="BUY" />',
          '</Trades>',
          '<CashTransactions>',
          '<CashTransaction currency="USD" type="Bill Pay" amount="-20" dateTime="20240301" />',
          '</CashTransactions>',
          '<CorporateActions>',
          '<CorporateAction symbol="ACME" type="TC" description="ACME(US0000000001) MERGED(Acquisition) FOR USD 10.00 PER SHARE" reportDate="20240301" quantity="-10" />',
          '</CorporateActions>',
        ].join('\n'),
      ),
    );
    expect(file.rows).toEqual([]);
    expect(file.problems).toEqual([
      { row: 6, field: 'type', message: 'asset category OPT is not read (shares and funds are): leave it out of the query' },
      { row: 9, field: 'type', message: 'unknown cash transaction type "Bill Pay"' },
      {
        row: 12,
        field: 'type',
        message:
          'corporate action TC "ACME(US0000000001) MERGED(Acquisition) FOR USD 10.00 PER SHARE" is not read (splits are): record it by hand',
      },
    ]);
  });

  it('refuses malformed numbers and dates on their element', () => {
    const file = ibkrFlex.read(
      flex(
        '<Trades>\n<Trade currency="USD" assetCategory="STK" symbol="AAPL" tradeID="1" tradeDate="03/01/2024" quantity="1,5" tradePrice="180" buySell="BUY" />\n</Trades>',
      ),
    );
    expect(file.problems).toEqual([
      { row: 6, field: 'date', message: 'tradeDate "03/01/2024" is not a date yyyyMMdd or yyyy-MM-dd (the Flex query\'s date format)' },
      { row: 6, field: 'quantity', message: 'quantity "1,5" is not a number' },
    ]);
  });

  it('reads one line of a reverse split (IBKR lists the old shares out and the new in)', () => {
    const description = 'XYZ(US9999999999) SPLIT 1 FOR 10 (XYZ, XYZ CORP, US9999999999)';
    const file = ibkrFlex.read(
      flex(
        `<CorporateActions>\n<CorporateAction symbol="XYZ.OLD" type="RS" actionDescription="${description}" reportDate="20240610" quantity="-100" actionID="5" />\n<CorporateAction symbol="XYZ" type="RS" actionDescription="${description}" reportDate="20240610" quantity="10" actionID="5" />\n</CorporateActions>`,
      ),
    );
    expect(file.problems).toEqual([]);
    expect(file.rows).toEqual([
      {
        row: 6,
        externalId: 'ca:5',
        fields: { date: '2024-06-10', type: 'SPLIT', symbol: 'XYZ', splitFrom: '10', splitTo: '1', notes: description },
      },
    ]);
  });

  it('refuses a document type (no entity is ever expanded) and a broken document, with their line', () => {
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n<FlexQueryResponse a="&lol2;"/>`;
    expect(ibkrFlex.read(bomb)).toEqual({ rows: [], problems: [{ row: 2, message: expect.stringContaining('<!DOCTYPE') }] });
    const broken = flex('<Trades>\n<Trade symbol="AAPL">\n</Trades>');
    expect(ibkrFlex.read(broken).problems).toEqual([{ row: 7, message: expect.stringContaining('not well-formed XML') }]);
  });
});
