import { describe, expect, it } from 'vitest';
import { BROKER_FORMAT_NAMES, BROKER_FORMATS, BROKER_READERS, detectBrokerFormat } from './index.js';
import { GOLDEN_FILES, golden } from './test-fixtures.js';

const OUR_CSV =
  'date,type,symbol,quantity,price,amount,fee,currency,fxRate,splitFrom,splitTo,lotIds,id,notes,name,assetType,sector\r\n2024-01-03,BUY,SAP.DE,5,110,550,1,EUR,1.09,,,,b2,,SAP SE,STOCK,\r\n';
const OUR_BROKER_STYLE_CSV = 'Date,Type,Symbol,Quantity,Price,Fee,Currency\n2024-01-03,Buy,AAPL,1,180,0,USD\n';
const OUR_JSON = JSON.stringify({
  format: 'foliograph.portfolio',
  version: 2,
  transactions: [{ date: '2024-01-02', type: 'DEPOSIT', amount: '10', notes: 'BrokerageTransactions' }],
});

describe('broker format detection', () => {
  it.each(BROKER_FORMAT_NAMES)('tells %s apart from every other format', (name) => {
    const text = golden(GOLDEN_FILES[name]);
    expect(detectBrokerFormat(text)).toBe(name);
    for (const other of BROKER_FORMAT_NAMES) expect(BROKER_FORMATS[other].detect(text)).toBe(other === name);
  });

  it('knows the other golden files (DEGIRO account statement, Schwab without its title) and a byte order mark', () => {
    expect(detectBrokerFormat(golden('degiro-account.csv'))).toBe('DEGIRO_CSV');
    expect(detectBrokerFormat(golden('schwab-transactions.csv').split('\r\n').slice(1).join('\r\n'))).toBe('SCHWAB_CSV');
    expect(detectBrokerFormat(`\uFEFF${golden('trading212-history.csv')}`)).toBe('TRADING212_CSV');
  });

  it('claims none of our own files, nor an empty or unknown one', () => {
    for (const text of [OUR_CSV, OUR_BROKER_STYLE_CSV, OUR_JSON, '', 'hello', '<html></html>', '{"transactions": []}'])
      expect(detectBrokerFormat(text)).toBeNull();
  });
});

describe('the readers as the import asks them', () => {
  it('reads a broker format by name, and nothing else', () => {
    const text = golden(GOLDEN_FILES.SCHWAB_CSV);
    expect(BROKER_READERS.detect(text)).toBe('SCHWAB_CSV');
    expect(BROKER_READERS.read('SCHWAB_CSV', text)).toEqual(BROKER_FORMATS.SCHWAB_CSV.read(text));
    expect(BROKER_READERS.read('FOLIOGRAPH_CSV', text)).toBeNull();
  });
});
