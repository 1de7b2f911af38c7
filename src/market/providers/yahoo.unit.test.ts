import { describe, expect, it } from 'vitest';
import { YahooProvider, assetTypeFromQuoteType, type YahooOptions } from './yahoo.js';
import { ProviderHttpError, ProviderInvalidRequestError, ProviderRateLimitedError, ProviderTimeoutError } from './errors.js';
import { readFixture, stubFetch, type StubReply } from './fixtures/fetch-stub.js';

const NOW = new Date('2024-01-06T12:00:00Z');

function yahoo(reply: (url: URL) => StubReply, options: Partial<YahooOptions> = {}) {
  const stub = stubFetch(reply);
  let now = NOW;
  const provider = new YahooProvider({ fetch: stub.fetch, now: () => now, ...options });
  return { provider, requests: stub.requests, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

/** A Yahoo that answers every documented endpoint from fixtures. */
function byEndpoint(url: URL): StubReply {
  if (url.pathname === '/v7/finance/quote') return { fixture: 'yahoo/quote-aapl-shel-btc.json' };
  if (url.pathname === '/v8/finance/chart/AAPL') {
    return url.searchParams.get('range') === '1d'
      ? { fixture: 'yahoo/chart-aapl-1d-meta.json' }
      : { fixture: 'yahoo/chart-aapl-daily.json' };
  }
  if (url.pathname === '/v8/finance/chart/SHEL.L') return { fixture: 'yahoo/chart-shel-daily.json' };
  if (url.pathname.startsWith('/v8/finance/chart/')) return { status: 404, fixture: 'yahoo/chart-not-found.json' };
  if (url.pathname === '/v1/finance/search') {
    const q = url.searchParams.get('q');
    if (q === 'AAPL') return { fixture: 'yahoo/search-news-aapl.json' };
    if (q === 'MSFT') return { fixture: 'yahoo/search-news-msft.json' };
    return { fixture: 'yahoo/search-apple.json' };
  }
  throw new Error(`unexpected request ${url.href}`);
}

/** The v7 quote endpoint wants a crumb; everything else answers. */
function crumbRequired(url: URL): StubReply {
  if (url.pathname === '/v7/finance/quote') return { status: 401, fixture: 'yahoo/quote-unauthorized.json' };
  return byEndpoint(url);
}

describe('YahooProvider quotes', () => {
  it('fetches a batch in one request and parses it, pence converted to pounds', async () => {
    const { provider, requests } = yahoo(byEndpoint);
    const quotes = await provider.quotes(['AAPL', 'shel.l', 'BTC-USD']);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.href).toBe('https://query1.finance.yahoo.com/v7/finance/quote?symbols=AAPL%2CSHEL.L%2CBTC-USD');
    expect(quotes).toEqual([
      {
        symbol: 'AAPL',
        price: '181.18',
        change: '-0.73',
        changePercent: -0.401,
        previousClose: '181.91',
        currency: 'USD',
        timestamp: new Date(1704488401 * 1000),
        source: 'yahoo',
      },
      {
        symbol: 'SHEL.L',
        price: '25.435',
        change: '0.125',
        changePercent: 0.4939,
        previousClose: '25.31',
        currency: 'GBP',
        timestamp: new Date(1704472500 * 1000),
        source: 'yahoo',
      },
      {
        symbol: 'BTC-USD',
        price: '44123.46',
        change: '321.89',
        changePercent: 0.7348,
        previousClose: '43801.57',
        currency: 'USD',
        timestamp: new Date(1704492000 * 1000),
        source: 'yahoo',
      },
    ]);
  });

  it('leaves out symbols Yahoo does not return', async () => {
    const { provider } = yahoo(() => ({ fixture: 'yahoo/quote-empty.json' }));
    expect(await provider.quotes(['NOSUCH'])).toEqual([]);
  });

  it('falls back to the chart endpoint per symbol when the quote endpoint wants a crumb, and remembers for an hour', async () => {
    const { provider, requests, advance } = yahoo(crumbRequired);
    const quotes = await provider.quotes(['AAPL', 'NOSUCH']);
    expect(quotes).toEqual([
      {
        symbol: 'AAPL',
        price: '181.18',
        change: '-0.73',
        changePercent: -0.4013,
        previousClose: '181.91',
        currency: 'USD',
        timestamp: new Date(1704488401 * 1000),
        source: 'yahoo',
      },
    ]);
    expect(requests.map((r) => r.pathname)).toEqual(['/v7/finance/quote', '/v8/finance/chart/AAPL', '/v8/finance/chart/NOSUCH']);

    await provider.quotes(['AAPL']);
    expect(requests.filter((r) => r.pathname === '/v7/finance/quote')).toHaveLength(1);
    advance(60 * 60_000 + 1);
    await provider.quotes(['AAPL']);
    expect(requests.filter((r) => r.pathname === '/v7/finance/quote')).toHaveLength(2);
  });
});

describe('YahooProvider history', () => {
  it('parses the chart oldest first, skipping null days and keeping the last row of a repeated day', async () => {
    const { provider, requests } = yahoo(byEndpoint);
    const candles = await provider.history('AAPL', '2024-01-02', '2024-01-05');
    expect(candles).toEqual([
      { date: '2024-01-02', open: '187.15', high: '188.44', low: '183.89', close: '185.64', volume: 82488700 },
      { date: '2024-01-03', open: '184.22', high: '185.88', low: '182.73', close: '184.25', volume: 58414500 },
      { date: '2024-01-05', open: '181.99', high: '182.76', low: '180.17', close: '181.18', volume: 62379661 },
    ]);
    expect(Object.fromEntries(requests[0]!.searchParams)).toEqual({
      period1: String(Date.parse('2024-01-02T00:00:00Z') / 1000),
      period2: String(Date.parse('2024-01-06T00:00:00Z') / 1000),
      interval: '1d',
      events: 'history',
    });
  });

  it('keeps to the requested dates and converts pence to pounds', async () => {
    const { provider } = yahoo(byEndpoint);
    expect((await provider.history('AAPL', '2024-01-03', '2024-01-03')).map((c) => c.date)).toEqual(['2024-01-03']);
    expect(await provider.history('SHEL.L', '2024-01-01', '2024-01-31')).toEqual([
      { date: '2024-01-04', open: '25.22', high: '25.40', low: '25.155', close: '25.31', volume: 12873456 },
      { date: '2024-01-05', open: '25.335', high: '25.51', low: '25.28', close: '25.435', volume: 14590021 },
    ]);
  });

  it('answers nothing for an unknown symbol (HTTP 404)', async () => {
    const { provider } = yahoo(byEndpoint);
    expect(await provider.history('NOSUCH', '2024-01-01', '2024-01-31')).toEqual([]);
  });
});

describe('YahooProvider fundamentals, news and search', () => {
  it('reads fundamentals from the quote result, dividend yield as a fraction', async () => {
    const { provider } = yahoo(byEndpoint);
    expect(await provider.fundamentals('AAPL')).toEqual({
      symbol: 'AAPL',
      name: 'Apple Inc.',
      type: 'STOCK',
      sector: null,
      currency: 'USD',
      marketCap: '2817922482176',
      peRatio: 29.41,
      dividendYield: 0.0053,
    });
  });

  it('falls back to the trailing yield and reports crypto without P/E', async () => {
    const shell = yahoo((url) => (url.searchParams.get('symbols') === 'SHEL.L' ? filteredQuote('SHEL.L') : byEndpoint(url)));
    expect(await shell.provider.fundamentals('SHEL.L')).toMatchObject({ currency: 'GBP', dividendYield: 0.041485, peRatio: 11.2 });
    const bitcoin = yahoo(() => filteredQuote('BTC-USD'));
    expect(await bitcoin.provider.fundamentals('BTC-USD')).toMatchObject({
      type: 'CRYPTO',
      name: 'Bitcoin USD',
      peRatio: null,
      dividendYield: null,
    });
    const none = yahoo(() => ({ fixture: 'yahoo/quote-empty.json' }));
    expect(await none.provider.fundamentals('NOSUCH')).toBeNull();
  });

  it('reports fundamentals as unavailable, not as an outage, when the quote endpoint wants a crumb', async () => {
    const { provider } = yahoo(crumbRequired);
    await expect(provider.fundamentals('AAPL')).rejects.toBeInstanceOf(ProviderInvalidRequestError);
  });

  it('merges per-symbol news newest first without duplicates', async () => {
    const { provider, requests } = yahoo(byEndpoint);
    const news = await provider.news(['AAPL', 'MSFT'], 10);
    expect(requests.map((r) => Object.fromEntries(r.searchParams))).toEqual([
      { q: 'AAPL', quotesCount: '0', newsCount: '10' },
      { q: 'MSFT', quotesCount: '0', newsCount: '10' },
    ]);
    expect(news.map((n) => n.title)).toEqual([
      'Apple Falls for Fifth Day as Barclays Downgrades',
      'Big Tech Starts 2024 on the Back Foot',
      'Microsoft Copilot Key Comes to Windows Keyboards',
    ]);
    expect(news[0]).toEqual({
      id: 'yahoo:8f3a6a57-0c39-3a3b-9b5e-1f2f0c7a1a01',
      title: 'Apple Falls for Fifth Day as Barclays Downgrades',
      url: 'https://finance.yahoo.com/news/apple-falls-fifth-day-barclays-downgrade-143000123.html',
      source: 'Bloomberg',
      symbols: ['AAPL'],
      publishedAt: new Date(1704465000 * 1000),
    });
    expect(news[1]!.symbols).toEqual(['AAPL', 'MSFT', 'NVDA']);
    expect(news[2]!.symbols).toEqual(['MSFT']); // no related tickers: the symbol asked about
    expect(await provider.news(['AAPL', 'MSFT'], 1)).toHaveLength(1);
    expect(await provider.news([], 5)).toEqual([]);
  });

  it('searches, skipping entries that are not instruments', async () => {
    const { provider, requests } = yahoo(byEndpoint);
    const matches = await provider.search('apple', 10);
    expect(Object.fromEntries(requests[0]!.searchParams)).toEqual({ q: 'apple', quotesCount: '10', newsCount: '0' });
    expect(matches).toEqual([
      { symbol: 'AAPL', name: 'Apple Inc.', type: 'STOCK', currency: 'USD', exchange: 'NASDAQ', sector: 'Technology' },
      { symbol: 'APC.DE', name: 'Apple Inc.', type: 'STOCK', currency: 'EUR', exchange: 'XETRA', sector: 'Technology' },
      { symbol: 'APLE', name: 'Apple Hospitality REIT, Inc.', type: 'STOCK', currency: 'USD', exchange: 'NYSE', sector: 'Real Estate' },
    ]);
    expect(await provider.search('apple', 1)).toHaveLength(1);
  });

  it('maps Yahoo quote types to asset types', () => {
    expect(
      ['EQUITY', 'ETF', 'MUTUALFUND', 'CRYPTOCURRENCY', 'INDEX', 'CURRENCY', 'FUTURE', 'OPTION', undefined].map(assetTypeFromQuoteType),
    ).toEqual(['STOCK', 'ETF', 'FUND', 'CRYPTO', 'OTHER', 'CASH', 'COMMODITY', 'OTHER', 'OTHER']);
  });
});

describe('YahooProvider errors', () => {
  it('types HTTP failures, throttling and timeouts', async () => {
    await expect(yahoo(() => ({ status: 502, body: 'Bad Gateway' })).provider.quotes(['AAPL'])).rejects.toBeInstanceOf(ProviderHttpError);
    await expect(yahoo(() => ({ status: 429, body: 'Too Many Requests' })).provider.search('a', 5)).rejects.toBeInstanceOf(
      ProviderRateLimitedError,
    );
    const slow = yahoo(() => ({ fixture: 'yahoo/chart-aapl-daily.json', delayMs: Infinity }), { timeoutMs: 50 });
    await expect(slow.provider.history('AAPL', '2024-01-02', '2024-01-05')).rejects.toBeInstanceOf(ProviderTimeoutError);
  });
});

/** The batch fixture narrowed to one symbol, as Yahoo would answer for it alone. */
function filteredQuote(symbol: string): StubReply {
  const { quoteResponse } = readFixture('yahoo/quote-aapl-shel-btc.json') as { quoteResponse: { result: Array<{ symbol: string }> } };
  return { body: { quoteResponse: { result: quoteResponse.result.filter((r) => r.symbol === symbol), error: null } } };
}
