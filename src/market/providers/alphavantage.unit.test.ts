import { describe, expect, it } from 'vitest';
import { AlphaVantageProvider, fromAlphaVantageSymbol, toAlphaVantageSymbol, type AlphaVantageOptions } from './alphavantage.js';
import {
  ProviderAuthError,
  ProviderError,
  ProviderHttpError,
  ProviderInvalidRequestError,
  ProviderRateLimitedError,
  ProviderResponseError,
  ProviderTimeoutError,
} from './errors.js';
import { stubFetch, type StubReply } from './fixtures/fetch-stub.js';

const API_KEY = 'SECRET-TEST-KEY-123';
const NOW = new Date('2024-01-08T15:00:00Z');

/** Routes Alpha Vantage requests by function and symbol to recorded-format fixtures. */
function alphaVantage(reply: (url: URL) => StubReply, options: Partial<AlphaVantageOptions> = {}) {
  const stub = stubFetch(reply);
  let now = options.now?.() ?? NOW;
  const provider = new AlphaVantageProvider({
    apiKey: API_KEY,
    fetch: stub.fetch,
    now: () => now,
    callsPerMinute: 100,
    ...options,
  });
  return { provider, requests: stub.requests, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

function byFunction(url: URL): StubReply {
  const fn = url.searchParams.get('function');
  const symbol = url.searchParams.get('symbol');
  if (fn === 'GLOBAL_QUOTE' && symbol === 'IBM') return { fixture: 'alphavantage/global-quote-ibm.json' };
  if (fn === 'GLOBAL_QUOTE' && symbol === 'TSCO.LON') return { fixture: 'alphavantage/global-quote-tsco-lon.json' };
  if (fn === 'GLOBAL_QUOTE') return { fixture: 'alphavantage/global-quote-empty.json' };
  if (fn === 'TIME_SERIES_DAILY') return { fixture: 'alphavantage/time-series-daily-ibm.json' };
  if (fn === 'OVERVIEW' && symbol === 'IBM') return { fixture: 'alphavantage/overview-ibm.json' };
  if (fn === 'OVERVIEW') return { fixture: 'alphavantage/overview-empty.json' };
  if (fn === 'NEWS_SENTIMENT') return { fixture: 'alphavantage/news-sentiment-aapl.json' };
  if (fn === 'SYMBOL_SEARCH') return { fixture: 'alphavantage/symbol-search-tesco.json' };
  throw new Error(`unexpected request ${url.search}`);
}

describe('AlphaVantageProvider quotes', () => {
  it('parses GLOBAL_QUOTE exactly', async () => {
    const { provider, requests } = alphaVantage(byFunction);
    const [quote] = await provider.quotes(['ibm']);
    expect(quote).toEqual({
      symbol: 'IBM',
      price: '161.46',
      change: '0.64',
      changePercent: 0.398,
      previousClose: '160.82',
      currency: 'USD',
      timestamp: new Date('2024-01-05T23:59:59Z'),
      source: 'alphavantage',
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.origin + requests[0]!.pathname).toBe('https://www.alphavantage.co/query');
    expect(Object.fromEntries(requests[0]!.searchParams)).toEqual({ function: 'GLOBAL_QUOTE', symbol: 'IBM', apikey: API_KEY });
  });

  it('maps London symbols and converts pence to pounds', async () => {
    const { provider, requests } = alphaVantage(byFunction);
    const [quote] = await provider.quotes(['TSCO.L']);
    expect(requests[0]!.searchParams.get('symbol')).toBe('TSCO.LON');
    expect(quote).toMatchObject({ symbol: 'TSCO.L', price: '3.024', change: '0.023', previousClose: '3.001', currency: 'GBP' });
    expect(quote!.changePercent).toBe(0.7664);
  });

  it('calls once per symbol and leaves unknown symbols out', async () => {
    const { provider, requests } = alphaVantage(byFunction);
    const quotes = await provider.quotes(['IBM', 'NOSUCH', 'TSCO.L', 'ibm']);
    expect(quotes.map((q) => q.symbol)).toEqual(['IBM', 'TSCO.L']);
    expect(requests).toHaveLength(3);
  });

  it('returns what fits in the call budget, then refuses with ProviderRateLimitedError until the window passes', async () => {
    const { provider, requests, advance } = alphaVantage(byFunction, { callsPerMinute: 2 });
    const quotes = await provider.quotes(['IBM', 'TSCO.L', 'MSFT']);
    expect(quotes.map((q) => q.symbol)).toEqual(['IBM', 'TSCO.L']);
    expect(requests).toHaveLength(2);

    const refused = await provider.quotes(['IBM']).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProviderRateLimitedError);
    expect((refused as ProviderRateLimitedError).retryAfterMs).toBe(60_000);
    await expect(provider.history('IBM', '2024-01-01', '2024-01-05')).rejects.toBeInstanceOf(ProviderRateLimitedError);
    expect(requests).toHaveLength(2); // refused locally, nothing sent

    advance(60_001);
    expect(await provider.quotes(['IBM'])).toHaveLength(1);
  });

  it('honours a daily cap as well', async () => {
    const { provider, advance } = alphaVantage(byFunction, { callsPerMinute: 5, callsPerDay: 3 });
    for (let i = 0; i < 3; i++) {
      expect(await provider.quotes(['IBM'])).toHaveLength(1);
      advance(61_000);
    }
    await expect(provider.quotes(['IBM'])).rejects.toBeInstanceOf(ProviderRateLimitedError);
    advance(86_400_000);
    expect(await provider.quotes(['IBM'])).toHaveLength(1);
  });

  it('throws when every call fails, e.g. throttled upstream', async () => {
    const { provider } = alphaVantage(() => ({ fixture: 'alphavantage/error-note-frequency.json' }));
    await expect(provider.quotes(['IBM', 'MSFT'])).rejects.toBeInstanceOf(ProviderRateLimitedError);
  });
});

describe('AlphaVantageProvider history', () => {
  it('parses TIME_SERIES_DAILY oldest first within the range', async () => {
    const { provider, requests } = alphaVantage(byFunction);
    const candles = await provider.history('IBM', '2024-01-02', '2024-01-05');
    expect(candles).toEqual([
      { date: '2024-01-02', open: '162.00', high: '162.90', low: '160.05', close: '158.66', volume: 4196113 },
      { date: '2024-01-03', open: '157.97', high: '159.21', low: '157.78', close: '159.16', volume: 3966385 },
      { date: '2024-01-04', open: '160.14', high: '162.05', low: '159.92', close: '160.82', volume: 4384512 },
      { date: '2024-01-05', open: '162.83', high: '163.29', low: '160.94', close: '161.46', volume: 4016745 },
    ]);
    expect(requests[0]!.searchParams.get('outputsize')).toBe('compact');
  });

  it('asks for the full series when the range reaches beyond the latest 100 trading days', async () => {
    const { provider, requests } = alphaVantage(byFunction);
    await provider.history('IBM', '2023-06-01', '2024-01-05');
    expect(requests[0]!.searchParams.get('outputsize')).toBe('full');
  });

  it('reports a premium-only parameter as an invalid request, not a throttle', async () => {
    const { provider } = alphaVantage(() => ({ fixture: 'alphavantage/error-information-premium.json' }));
    const error = await provider.history('IBM', '2015-01-01', '2024-01-05').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderInvalidRequestError);
    expect(String(error)).toMatch(/premium/);
  });
});

describe('AlphaVantageProvider fundamentals, news and search', () => {
  it('parses OVERVIEW; an empty answer means an unknown symbol', async () => {
    const { provider } = alphaVantage(byFunction);
    expect(await provider.fundamentals('IBM')).toEqual({
      symbol: 'IBM',
      name: 'International Business Machines',
      type: 'STOCK',
      sector: 'Technology',
      currency: 'USD',
      marketCap: '148231061000',
      peRatio: 22.47,
      dividendYield: 0.0411,
    });
    expect(await provider.fundamentals('NOSUCH')).toBeNull();
  });

  it('parses NEWS_SENTIMENT newest first, mapping its tickers to ours', async () => {
    const { provider, requests } = alphaVantage(byFunction);
    const news = await provider.news(['AAPL'], 2);
    expect(news.map((n) => n.title)).toEqual([
      'Apple Stock Slides As Analysts Turn Cautious On iPhone Demand',
      'Vision Pro Launch Date Reportedly Set',
    ]);
    expect(news[0]).toMatchObject({
      url: 'https://www.benzinga.com/news/24/01/36512345/apple-stock-slides-as-analysts-turn-cautious',
      source: 'Benzinga',
      symbols: ['AAPL', 'MSFT'],
      publishedAt: new Date('2024-01-05T21:30:00Z'),
    });
    expect(news[0]!.id).toMatch(/^alphavantage:[0-9a-f]{24}$/);
    expect(Object.fromEntries(requests[0]!.searchParams)).toMatchObject({ function: 'NEWS_SENTIMENT', tickers: 'AAPL', limit: '2' });

    const all = await provider.news(['AAPL'], 10);
    expect(all.find((n) => n.source === 'Motley Fool')?.symbols).toEqual(['AAPL', 'BTC-USD']);
    expect((await provider.news(['AAPL'], 10)).map((n) => n.id)).toEqual(all.map((n) => n.id)); // stable ids
  });

  it('asks for crypto news with the CRYPTO: prefix, one call per symbol, merged without duplicates', async () => {
    const { provider, requests } = alphaVantage(byFunction);
    const news = await provider.news(['BTC-USD', 'AAPL'], 10);
    expect(requests.map((r) => r.searchParams.get('tickers'))).toEqual(['CRYPTO:BTC', 'AAPL']);
    expect(news).toHaveLength(3); // both calls answer the same three articles
  });

  it('parses SYMBOL_SEARCH into our symbols and currencies', async () => {
    const { provider, requests } = alphaVantage(byFunction);
    const matches = await provider.search(' tesco ', 2);
    expect(requests[0]!.searchParams.get('keywords')).toBe('tesco');
    expect(matches).toEqual([
      { symbol: 'TSCO.L', name: 'Tesco PLC', type: 'STOCK', currency: 'GBP', exchange: null, sector: null },
      { symbol: 'TSCDF', name: 'Tesco plc', type: 'STOCK', currency: 'USD', exchange: null, sector: null },
    ]);
  });

  it('maps exchange suffixes both ways', () => {
    expect(toAlphaVantageSymbol('shel.l')).toBe('SHEL.LON');
    expect(toAlphaVantageSymbol('SAP.DE')).toBe('SAP.DEX');
    expect(toAlphaVantageSymbol('BRK-B')).toBe('BRK-B');
    expect(fromAlphaVantageSymbol('MBG.DEX')).toBe('MBG.DE');
    expect(fromAlphaVantageSymbol('600104.SHH')).toBe('600104.SS');
  });
});

describe('AlphaVantageProvider errors', () => {
  const cases: Array<[string, StubReply, new (...args: never[]) => ProviderError]> = [
    ['a "Note" body (per-minute throttle)', { fixture: 'alphavantage/error-note-frequency.json' }, ProviderRateLimitedError],
    ['an "Information" body (daily limit)', { fixture: 'alphavantage/error-information-daily-limit.json' }, ProviderRateLimitedError],
    ['an "Error Message" body', { fixture: 'alphavantage/error-message-invalid-call.json' }, ProviderInvalidRequestError],
    ['an "Error Message" about the key', { fixture: 'alphavantage/error-message-apikey.json' }, ProviderAuthError],
    ['HTTP 500', { status: 500, body: 'Internal Server Error' }, ProviderHttpError],
    ['HTTP 429', { status: 429, body: '', headers: { 'retry-after': '30' } }, ProviderRateLimitedError],
    ['a body that is not JSON', { body: '<html>maintenance</html>' }, ProviderResponseError],
    ['JSON of the wrong shape', { body: { 'Time Series (Daily)': { '2024-01-05': { '1. open': 1 } } } }, ProviderResponseError],
  ];

  it.each(cases)('turns %s into a typed error without revealing the API key', async (_name, reply, errorClass) => {
    const { provider } = alphaVantage(() => reply);
    const error = await provider.history('IBM', '2024-01-01', '2024-01-05').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errorClass);
    expect((error as ProviderError).provider).toBe('alphavantage');
    expect(String(error)).not.toContain(API_KEY);
    expect(JSON.stringify(error)).not.toContain(API_KEY);
  });

  it('reads Retry-After on HTTP 429', async () => {
    const { provider } = alphaVantage(() => ({ status: 429, body: '', headers: { 'retry-after': '30' } }));
    const error = await provider.search('ibm', 5).catch((e: unknown) => e);
    expect((error as ProviderRateLimitedError).retryAfterMs).toBe(30_000);
  });

  it('times out a slow answer', async () => {
    const { provider } = alphaVantage(() => ({ fixture: 'alphavantage/global-quote-ibm.json', delayMs: 5_000 }), { timeoutMs: 50 });
    const started = Date.now();
    await expect(provider.fundamentals('IBM')).rejects.toBeInstanceOf(ProviderTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('needs an API key', () => {
    expect(() => new AlphaVantageProvider({ apiKey: '' })).toThrow(ProviderAuthError);
  });
});
