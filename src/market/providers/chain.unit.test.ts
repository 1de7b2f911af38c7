import { afterEach, describe, expect, it } from 'vitest';
import { ProviderChain, createProviderChain, type ProviderChainEvent, type ProviderChainOptions } from './chain.js';
import { AllProvidersFailedError, ProviderConfigError, ProviderInvalidRequestError } from './errors.js';
import { SimulatedProvider } from './simulated.js';
import { AlphaVantageProvider } from './alphavantage.js';
import { YahooProvider } from './yahoo.js';
import { stubFetch } from './fixtures/fetch-stub.js';
import type {
  MarketDataProvider,
  ProviderCandle,
  ProviderCorporateAction,
  ProviderFundamentals,
  ProviderNewsItem,
  ProviderQuote,
  ProviderSymbol,
} from './types.js';

type Behaviour = 'ok' | 'throw' | 'hang' | 'invalid';

/** A provider whose health the test controls, counting every call that reaches it. */
class ScriptedProvider implements MarketDataProvider {
  behaviour: Behaviour = 'ok';
  calls = 0;
  readonly quoteRequests: string[][] = [];

  constructor(
    readonly name: string,
    private readonly knownSymbols: string[] = ['AAPL', 'MSFT', 'SAP.DE'],
    private readonly candles: ProviderCandle[] = [candle('2024-01-02', '100.00')],
  ) {}

  async quotes(symbols: string[]): Promise<ProviderQuote[]> {
    await this.enter();
    this.quoteRequests.push(symbols);
    return symbols.filter((s) => this.knownSymbols.includes(s)).map((symbol) => quote(symbol, this.name));
  }

  async history(): Promise<ProviderCandle[]> {
    await this.enter();
    return this.candles;
  }

  async fundamentals(symbol: string): Promise<ProviderFundamentals | null> {
    await this.enter();
    if (!this.knownSymbols.includes(symbol)) return null;
    return {
      symbol,
      name: `${symbol} by ${this.name}`,
      type: 'STOCK',
      sector: null,
      currency: 'USD',
      marketCap: null,
      peRatio: null,
      dividendYield: null,
    };
  }

  async news(): Promise<ProviderNewsItem[]> {
    await this.enter();
    return [];
  }

  async corporateActions(): Promise<ProviderCorporateAction[]> {
    await this.enter();
    return [];
  }

  async search(): Promise<ProviderSymbol[]> {
    await this.enter();
    return this.knownSymbols.map((symbol) => ({ symbol, name: symbol, type: 'STOCK', currency: 'USD', exchange: null, sector: null }));
  }

  private async enter(): Promise<void> {
    this.calls++;
    if (this.behaviour === 'throw') throw new Error(`${this.name} is down`);
    if (this.behaviour === 'invalid') throw new ProviderInvalidRequestError(this.name, 'unknown symbol');
    if (this.behaviour === 'hang') await new Promise(() => {});
  }
}

function quote(symbol: string, source: string): ProviderQuote {
  return { symbol, price: '1.00', change: null, changePercent: null, previousClose: null, currency: 'USD', timestamp: new Date(0), source };
}

function candle(date: string, close: string): ProviderCandle {
  return { date, open: close, high: close, low: close, close, volume: null };
}

const FAST_BREAKER: ProviderChainOptions['breaker'] = {
  timeoutMs: 200,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 150,
  volumeThreshold: 3,
};

const chains: ProviderChain[] = [];
function chainOf(
  providers: MarketDataProvider[],
  options: ProviderChainOptions = {},
): { chain: ProviderChain; events: ProviderChainEvent[] } {
  const events: ProviderChainEvent[] = [];
  const chain = new ProviderChain(providers, { breaker: FAST_BREAKER, onEvent: (e) => events.push(e), ...options });
  chains.push(chain);
  return { chain, events };
}

afterEach(() => {
  for (const chain of chains.splice(0)) chain.shutdown();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ProviderChain fall-back and circuit breaking', () => {
  it('answers from the next provider when the first one throws', async () => {
    const failing = new ScriptedProvider('failing');
    failing.behaviour = 'throw';
    const backup = new ScriptedProvider('backup');
    const { chain, events } = chainOf([failing, backup]);
    const quotes = await chain.quotes(['AAPL']);
    expect(quotes.map((q) => q.source)).toEqual(['backup']);
    expect(events).toContainEqual(expect.objectContaining({ type: 'failure', provider: 'failing' }));
  });

  it('opens the breaker after the threshold, stops calling the failing provider, and closes it again on recovery', async () => {
    const flaky = new ScriptedProvider('flaky');
    flaky.behaviour = 'throw';
    const backup = new ScriptedProvider('backup');
    const { chain, events } = chainOf([flaky, backup]);

    for (let i = 0; i < 6; i++) expect((await chain.quotes(['MSFT']))[0]?.source).toBe('backup');
    expect(flaky.calls).toBe(3); // volumeThreshold 3 at 100 % failures: then skipped
    expect(backup.calls).toBe(6);
    expect(chain.status()).toEqual([
      expect.objectContaining({ name: 'flaky', state: 'open' }),
      expect.objectContaining({ name: 'backup', state: 'closed' }),
    ]);
    expect(events.filter((e) => e.type === 'open')).toEqual([{ type: 'open', provider: 'flaky' }]);

    flaky.behaviour = 'ok';
    await sleep(250); // past resetTimeout: half-open, one trial call allowed
    expect(chain.status()[0]!.state).toBe('halfOpen');
    expect((await chain.quotes(['MSFT']))[0]?.source).toBe('flaky');
    expect(chain.status()[0]!.state).toBe('closed');
    expect(events.map((e) => e.type).filter((t) => t !== 'failure')).toEqual(['open', 'halfOpen', 'close']);
    expect((await chain.quotes(['MSFT']))[0]?.source).toBe('flaky');
    expect(flaky.calls).toBe(5);
  });

  it('re-opens when the half-open trial call fails', async () => {
    const flaky = new ScriptedProvider('flaky');
    flaky.behaviour = 'throw';
    const { chain } = chainOf([flaky, new ScriptedProvider('backup')]);
    for (let i = 0; i < 3; i++) await chain.quotes(['AAPL']);
    await sleep(250);
    await chain.quotes(['AAPL']);
    expect(flaky.calls).toBe(4);
    expect(chain.status()[0]!.state).toBe('open');
    await chain.quotes(['AAPL']);
    expect(flaky.calls).toBe(4);
  });

  it('treats a provider that does not answer in time as failed and moves on', async () => {
    const hanging = new ScriptedProvider('hanging');
    hanging.behaviour = 'hang';
    const backup = new ScriptedProvider('backup', ['AAPL'], [candle('2024-01-02', '42.00')]);
    const { chain, events } = chainOf([hanging, backup], { breaker: { ...FAST_BREAKER, timeoutMs: 50 } });
    const started = Date.now();
    expect(await chain.history('AAPL', '2024-01-01', '2024-01-31')).toEqual([candle('2024-01-02', '42.00')]);
    expect(Date.now() - started).toBeLessThan(1_000);
    const failure = events.find((e) => e.type === 'failure');
    expect(failure && 'error' in failure ? failure.error.message : '').toMatch(/Timed out/);
  });

  it('does not hold requests the source rejected on their merits against its breaker', async () => {
    const picky = new ScriptedProvider('picky');
    picky.behaviour = 'invalid';
    const backup = new ScriptedProvider('backup');
    const { chain } = chainOf([picky, backup]);
    for (let i = 0; i < 6; i++) expect(await chain.fundamentals('AAPL')).toMatchObject({ name: 'AAPL by backup' });
    expect(picky.calls).toBe(6);
    expect(chain.status()[0]!.state).toBe('closed');
  });
});

describe('ProviderChain answers', () => {
  it('fills quote gaps provider by provider, asking each only for what is missing', async () => {
    const first = new ScriptedProvider('first', ['AAPL']);
    const second = new ScriptedProvider('second', ['MSFT', 'AAPL']);
    const third = new ScriptedProvider('third', ['SAP.DE', 'MSFT', 'AAPL']);
    const fourth = new ScriptedProvider('fourth');
    const { chain } = chainOf([first, second, third, fourth]);
    const quotes = await chain.quotes(['sap.de', 'AAPL', 'MSFT', 'NOSUCH']);
    expect(quotes.map((q) => [q.symbol, q.source])).toEqual([
      ['SAP.DE', 'third'],
      ['AAPL', 'first'],
      ['MSFT', 'second'],
    ]);
    expect(second.quoteRequests).toEqual([['SAP.DE', 'MSFT', 'NOSUCH']]);
    expect(third.quoteRequests).toEqual([['SAP.DE', 'NOSUCH']]);
    expect(fourth.quoteRequests).toEqual([['NOSUCH']]);
    expect(await chain.quotes([])).toEqual([]);
    expect(fourth.calls).toBe(1);
  });

  it('takes history and fundamentals from the first provider with a non-empty answer', async () => {
    const empty = new ScriptedProvider('empty', [], []);
    const full = new ScriptedProvider('full', ['AAPL'], [candle('2024-01-02', '7.00')]);
    const { chain } = chainOf([empty, full]);
    expect(await chain.history('AAPL', '2024-01-01', '2024-01-31')).toEqual([candle('2024-01-02', '7.00')]);
    expect(await chain.fundamentals('AAPL')).toMatchObject({ name: 'AAPL by full' });
    expect(await chain.fundamentals('NOSUCH')).toBeNull();
    expect(await chain.news(['AAPL'], 5)).toEqual([]);
    expect((await chain.search('a', 5)).map((s) => s.symbol)).toEqual(['AAPL']);
  });

  it('throws AllProvidersFailedError only when no provider answered at all', async () => {
    const a = new ScriptedProvider('a');
    const b = new ScriptedProvider('b');
    a.behaviour = b.behaviour = 'throw';
    const { chain } = chainOf([a, b]);
    const error = await chain.quotes(['AAPL']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    expect((error as AllProvidersFailedError).failures.map((f) => f.provider)).toEqual(['a', 'b']);
    await expect(chain.history('AAPL', '2024-01-01', '2024-01-31')).rejects.toBeInstanceOf(AllProvidersFailedError);
    b.behaviour = 'ok';
    expect(await chain.quotes(['NOSUCH'])).toEqual([]);
  });

  it('fills gaps with real adapters: throttled Alpha Vantage, then Yahoo, then the simulation', async () => {
    const alphaFetch = stubFetch(() => ({ fixture: 'alphavantage/error-note-frequency.json' }));
    const yahooFetch = stubFetch(() => ({ fixture: 'yahoo/quote-aapl-shel-btc.json' }));
    const { chain } = chainOf([
      new AlphaVantageProvider({ apiKey: 'k', fetch: alphaFetch.fetch }),
      new YahooProvider({ fetch: yahooFetch.fetch }),
      new SimulatedProvider({ tickSeed: 7 }),
    ]);
    const quotes = await chain.quotes(['AAPL', 'SAP.DE', 'BTC-USD']);
    expect(quotes.map((q) => [q.symbol, q.source])).toEqual([
      ['AAPL', 'yahoo'],
      ['SAP.DE', 'simulated'],
      ['BTC-USD', 'yahoo'],
    ]);
    expect(alphaFetch.requests).toHaveLength(3);
    expect(yahooFetch.requests).toHaveLength(1);
  });
});

describe('createProviderChain', () => {
  it('builds the named providers in order, after any extra ones', () => {
    const custom = new ScriptedProvider('custom');
    const chain = createProviderChain([' Yahoo', 'simulated '], { extra: [custom] });
    chains.push(chain);
    expect(chain.status().map((s) => [s.name, s.state])).toEqual([
      ['custom', 'closed'],
      ['yahoo', 'closed'],
      ['simulated', 'closed'],
    ]);
  });

  it('builds Alpha Vantage only with an API key', () => {
    expect(() => createProviderChain(['alphavantage'])).toThrow(/API key/);
    const chain = createProviderChain(['alphavantage', 'simulated'], { alphaVantage: { apiKey: 'k', callsPerMinute: 5 } });
    chains.push(chain);
    expect(chain.status().map((s) => s.name)).toEqual(['alphavantage', 'simulated']);
  });

  it('rejects unknown names listing the valid ones, duplicates, and an empty chain', () => {
    expect(() => createProviderChain(['simulated', 'bloomberg'])).toThrow(
      new ProviderConfigError('unknown market-data provider "bloomberg"; valid providers: simulated, alphavantage, yahoo'),
    );
    expect(() => createProviderChain(['yahoo', 'YAHOO'])).toThrow(/listed twice/);
    expect(() => createProviderChain([])).toThrow(ProviderConfigError);
  });

  it('serves simulated data by default', async () => {
    const chain = createProviderChain(['simulated']);
    chains.push(chain);
    const [apple] = await chain.quotes(['AAPL']);
    expect(apple).toMatchObject({ symbol: 'AAPL', source: 'simulated', currency: 'USD' });
  });
});
