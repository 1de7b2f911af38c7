/**
 * Interactive Brokers' Activity Flex Query as XML (docs/import-export.md, "Interactive Brokers"):
 * FlexQueryResponse > FlexStatements > FlexStatement, whose Trades (stocks and, as asset
 * category CASH, currency exchanges), CashTransactions (deposits, withdrawals, dividends,
 * withholding tax, fees, interest) and CorporateActions (splits) are read; every value is an
 * attribute. Parsed with fast-xml-parser with entity processing off: a document type (and so any
 * entity of its own) is refused before parsing, and only XML's five named entities and
 * character references are decoded, in attribute values.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Decimal } from 'decimal.js';
import { decimalText, FileBuilder, isNegative, isoDate, isZero, magnitude, notesOf, plainNumber } from './common.js';
import type { BrokerFormat } from './types.js';

type Attributes = Record<string, string>;
type XmlNode = Record<string, unknown>;

const META = XMLParser.getMetaDataSymbol() as unknown as string;
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  parseAttributeValue: false,
  parseTagValue: false,
  captureMetaData: true,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's own entities and character references; anything else stays as written. */
function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name] ?? whole;
  });
}

/** Asset categories read as shares (ETFs are STK at IBKR). */
const SHARES = new Set(['STK', 'FUND']);
const DEPOSITS_WITHDRAWALS = new Set(['deposits/withdrawals', 'deposits & withdrawals']);
const DIVIDENDS = new Set(['dividends', 'payment in lieu of dividends']);
const INTEREST = new Set([
  'broker interest received',
  'broker interest paid',
  'bond interest received',
  'bond interest paid',
  'bond interest',
]);
const FEES = new Set(['other fees', 'commission adjustments', 'advisor fees', 'fees']);
const SPLIT_WORDING = /\bSPLIT\s+(\d+(?:\.\d+)?)\s+FOR\s+(\d+(?:\.\d+)?)\b/i;

/**
 * IBKR's listing exchanges and the exchange suffix of our (Yahoo's) symbols: SAP listed on IBIS
 * is SAP.DE, BP. on LSE is BP.L. US exchanges have none; an exchange not listed here leaves the
 * symbol as IBKR writes it.
 */
const SUFFIX_BY_EXCHANGE: Readonly<Record<string, string>> = {
  IBIS: 'DE',
  IBIS2: 'DE',
  FWB: 'F',
  FWB2: 'F',
  GETTEX: 'MU',
  AEB: 'AS',
  SBF: 'PA',
  ENEXT_BE: 'BR',
  BVL: 'LS',
  BVME: 'MI',
  BM: 'MC',
  ISED: 'IR',
  VSE: 'VI',
  LSE: 'L',
  LSEETF: 'L',
  EBS: 'SW',
  SFB: 'ST',
  CPH: 'CO',
  OSE: 'OL',
  HEX: 'HE',
  WSE: 'WA',
  TSE: 'TO',
  VENTURE: 'V',
  TSEJ: 'T',
  SEHK: 'HK',
  SGX: 'SI',
  ASX: 'AX',
  NZSE: 'NZ',
};

/** Our symbol for an IBKR instrument: share classes with a dash (BRK B is BRK-B), the listing's suffix. */
function symbolOf(a: Attributes): string {
  const symbol = (a.symbol ?? '').trim().toUpperCase().replace(/\.$/, '').replace(/\s+/g, '-');
  const suffix = SUFFIX_BY_EXCHANGE[(a.listingExchange ?? '').toUpperCase().replace('.', '_')];
  return suffix && symbol !== '' && !symbol.includes('.') ? `${symbol}.${suffix}` : symbol;
}

/** The 1-based line of character `index`. */
function lineFinder(text: string): (index: number | undefined) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (index) => {
    if (index === undefined) return 1;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= index) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
}

function children(node: unknown, name: string): XmlNode[] {
  const list = (node as XmlNode | undefined)?.[name];
  return Array.isArray(list) ? (list.filter((n) => typeof n === 'object' && n !== null) as XmlNode[]) : [];
}

function attributesOf(node: XmlNode): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(node)) if (typeof value === 'string') out[key] = decodeEntities(value.trim());
  return out;
}

export const ibkrFlex: BrokerFormat = {
  detect(text) {
    const head = text
      .slice(0, 4_096)
      .replace(/^\uFEFF/, '')
      .trimStart();
    return head.startsWith('<') && /<FlexQueryResponse[\s>]/.test(head);
  },
  read(text) {
    const b = new FileBuilder('oldestFirst');
    const lineAt = lineFinder(text);
    const declaration = /<!(DOCTYPE|ENTITY)/i.exec(text);
    if (declaration) {
      b.problem(lineAt(declaration.index), 'a Flex Query has no document type: a file with <!DOCTYPE or <!ENTITY is refused');
      return b.finish();
    }
    const valid = XMLValidator.validate(text);
    if (valid !== true) {
      b.problem(valid.err.line, `the file is not well-formed XML: ${valid.err.msg}`);
      return b.finish();
    }
    const root = parser.parse(text) as XmlNode;
    const responses = children(root, 'FlexQueryResponse');
    if (responses.length === 0) {
      b.problem(1, 'no FlexQueryResponse element');
      return b.finish();
    }
    const rowOf = (node: XmlNode) => lineAt((node[META] as { startIndex?: number } | undefined)?.startIndex);
    const statements = responses.flatMap((r) => children(r, 'FlexStatements')).flatMap((s) => children(s, 'FlexStatement'));

    for (const statement of statements) {
      const trades = children(children(statement, 'Trades')[0], 'Trade').map((n) => ({ row: rowOf(n), a: attributesOf(n) }));
      // Executions; a query set to orders only has ORDER rows instead (summaries are left out).
      const executions = trades.filter((t) => !t.a.levelOfDetail || t.a.levelOfDetail === 'EXECUTION');
      const read = executions.length > 0 ? executions : trades.filter((t) => t.a.levelOfDetail === 'ORDER');
      for (const { row, a } of read) readTrade(b, row, a);

      for (const node of children(children(statement, 'CashTransactions')[0], 'CashTransaction')) {
        const a = attributesOf(node);
        if (a.levelOfDetail && a.levelOfDetail !== 'DETAIL') continue; // summaries
        readCash(b, rowOf(node), a);
      }

      const seenActions = new Set<string>();
      for (const node of children(children(statement, 'CorporateActions')[0], 'CorporateAction')) {
        const a = attributesOf(node);
        if (a.levelOfDetail && a.levelOfDetail !== 'DETAIL') continue;
        readCorporateAction(b, rowOf(node), a, seenActions);
      }
    }
    return b.finish();
  },
};

function dateOf(b: FileBuilder, row: number, a: Attributes, ...names: string[]): string | null {
  const name = names.find((n) => a[n]);
  const date = name ? isoDate(a[name]!) : null;
  if (date === null)
    b.problem(
      row,
      name ? `${name} "${a[name]}" is not a date yyyyMMdd or yyyy-MM-dd (the Flex query's date format)` : `needs ${names[0]}`,
      'date',
    );
  return date;
}

function numberOf(b: FileBuilder, row: number, a: Attributes, name: string, field: string): string | null {
  const text = a[name];
  const value = text === undefined || text === '' ? null : plainNumber(text);
  if (value === null) b.problem(row, text ? `${name} "${text}" is not a number` : `needs ${name}`, field);
  return value;
}

function readTrade(b: FileBuilder, row: number, a: Attributes): void {
  const date = dateOf(b, row, a, 'tradeDate', 'dateTime');
  const quantity = numberOf(b, row, a, 'quantity', 'quantity');
  const price = numberOf(b, row, a, 'tradePrice', 'price');
  const commission = a.ibCommission ? numberOf(b, row, a, 'ibCommission', 'fee') : '0';
  if (date === null || quantity === null || price === null || commission === null) return;
  const side = (a.buySell ?? '').toUpperCase();
  if (side !== 'BUY' && side !== 'SELL') {
    b.problem(row, `buySell "${a.buySell ?? ''}" is not BUY or SELL (cancelled trades are not read: leave them out of the query)`, 'type');
    return;
  }
  if (isZero(quantity)) {
    b.problem(row, 'a trade of 0', 'quantity');
    return;
  }
  if (!isZero(commission) && !isNegative(commission)) {
    b.problem(row, `ibCommission ${commission} is a credit: a refund of a commission has no transaction type here`, 'fee');
    return;
  }
  const currency = a.currency ?? '';
  const commissionCurrency = a.ibCommissionCurrency || currency;
  const fee = magnitude(commission);
  const externalId = a.tradeID || null;
  const category = a.assetCategory ?? 'STK';

  if (category === 'CASH') {
    // A currency exchange: "EUR.USD" bought is EUR bought with USD at tradePrice USD per EUR.
    const pair = /^([A-Z]{3})\.([A-Z]{3})$/.exec(a.symbol ?? '');
    if (!pair) {
      b.problem(row, `symbol "${a.symbol ?? ''}" is not a currency pair such as EUR.USD`, 'symbol');
      return;
    }
    const [, base, quote] = pair as unknown as [string, string, string];
    const baseAmount = new Decimal(magnitude(quantity));
    const proceeds = a.proceeds ? plainNumber(a.proceeds) : null;
    const quoteAmount = proceeds !== null && !isZero(proceeds) ? new Decimal(magnitude(proceeds)) : baseAmount.times(magnitude(price));
    const [from, fromCurrency, to, toCurrency] =
      side === 'BUY' ? [quoteAmount, quote, baseAmount, base] : [baseAmount, base, quoteAmount, quote];
    let net = to;
    let feeText: string | undefined;
    if (!isZero(fee)) {
      if (commissionCurrency === fromCurrency) feeText = fee;
      else if (commissionCurrency === toCurrency)
        net = to.minus(fee); // taken from what arrived
      else {
        b.problem(row, `the commission is in ${commissionCurrency}, neither ${fromCurrency} nor ${toCurrency}`, 'fee');
        return;
      }
    }
    b.transaction(row, externalId, {
      date,
      type: 'CONVERSION',
      amount: decimalText(from),
      currency: fromCurrency,
      toAmount: decimalText(net),
      toCurrency,
      ...(feeText ? { fee: feeText } : {}),
      notes: notesOf(a.symbol, commissionCurrency === toCurrency && !isZero(fee) ? `commission ${fee} ${toCurrency} deducted` : undefined),
    });
    return;
  }
  if (!SHARES.has(category)) {
    b.problem(row, `asset category ${category} is not read (shares and funds are): leave it out of the query`, 'type');
    return;
  }
  if (!isZero(fee) && commissionCurrency !== currency) {
    b.problem(row, `the commission is in ${commissionCurrency} and the trade in ${currency}`, 'fee');
    return;
  }
  b.transaction(row, externalId, {
    date,
    type: side,
    symbol: symbolOf(a),
    quantity: magnitude(quantity),
    price: magnitude(price),
    ...(isZero(fee) ? {} : { fee }),
    currency,
    notes: a.description || undefined,
  });
}

function readCash(b: FileBuilder, row: number, a: Attributes): void {
  const date = dateOf(b, row, a, 'dateTime', 'reportDate', 'settleDate');
  const amount = numberOf(b, row, a, 'amount', 'amount');
  if (date === null || amount === null) return;
  const type = a.type ?? '';
  const kind = type.toLowerCase();
  const currency = a.currency ?? '';
  const externalId = a.transactionID ? `cash:${a.transactionID}` : null;
  const symbol = a.symbol ? symbolOf(a) : undefined;
  const notes = a.description || type;
  const base = { date, currency, notes };
  if (isZero(amount)) {
    b.problem(row, `"${type}" of 0`, 'amount');
    return;
  }
  if (DEPOSITS_WITHDRAWALS.has(kind)) {
    b.transaction(row, externalId, { ...base, type: isNegative(amount) ? 'WITHDRAWAL' : 'DEPOSIT', amount: magnitude(amount) });
  } else if (DIVIDENDS.has(kind)) {
    if (isNegative(amount))
      b.problem(row, `"${type}" of ${amount}: a reversed dividend has no transaction type here, record it by hand`, 'amount');
    else b.transaction(row, externalId, { ...base, type: 'DIVIDEND', symbol, amount });
  } else if (kind === 'withholding tax') {
    b.add({ kind: 'withholding', row, externalId, date, symbol: symbol ?? null, currency, amount: new Decimal(amount).negated(), notes });
  } else if (INTEREST.has(kind)) {
    b.transaction(row, externalId, { ...base, type: isNegative(amount) ? 'FEE' : 'INTEREST', amount: magnitude(amount) });
  } else if (FEES.has(kind)) {
    if (!isNegative(amount))
      b.problem(row, `"${type}" of ${amount}: a refund of a fee has no transaction type here, record it by hand`, 'amount');
    else b.transaction(row, externalId, { ...base, type: 'FEE', symbol, amount: magnitude(amount) });
  } else {
    b.problem(row, type === '' ? 'has no type' : `unknown cash transaction type "${type}"`, 'type');
  }
}

function readCorporateAction(b: FileBuilder, row: number, a: Attributes, seen: Set<string>): void {
  const description = a.actionDescription || a.description || '';
  const type = a.type ?? '';
  if (type !== 'FS' && type !== 'RS') {
    b.problem(row, `corporate action ${type || '(no type)'} "${description}" is not read (splits are): record it by hand`, 'type');
    return;
  }
  // reportDate is the ex-date (dateTime the evening before), as market data dates splits.
  const date = dateOf(b, row, a, 'reportDate', 'dateTime');
  if (date === null) return;
  // A reverse split is two lines (old shares out, new in) of one action.
  const key = a.actionID || `${date}|${description}`;
  if (seen.has(key)) return;
  seen.add(key);
  const wording = SPLIT_WORDING.exec(description);
  if (!wording || isZero(wording[1]!) || isZero(wording[2]!)) {
    b.problem(row, `a split without its ratio "N FOR M" in "${description}"`, 'type');
    return;
  }
  // The description names the shares after the split ("XYZ(ISIN) SPLIT ..."); the line's own symbol may be the old ones'.
  const named = /^([^(]+)\(/.exec(description)?.[1];
  const symbol = symbolOf({ ...a, symbol: named ?? a.symbol ?? '' });
  b.transaction(row, a.actionID ? `ca:${a.actionID}` : a.transactionID ? `ca:${a.transactionID}` : null, {
    date,
    type: 'SPLIT',
    symbol,
    splitTo: wording[1]!,
    splitFrom: wording[2]!,
    notes: description,
  });
}
