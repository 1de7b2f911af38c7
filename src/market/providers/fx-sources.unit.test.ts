/**
 * The real FX sources on recorded-format answers (the ECB's eurofxref XML, Yahoo's chart of
 * EURUSD=X), never the network, and FxRates chaining them before the simulated rates: the last
 * rate on or before a date, crosses, minor units, a failing source skipped, one fetch per pair.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FxRates } from '../fx.js';
import { stubFetch } from './fixtures/fetch-stub.js';
import { EcbFxSource, parseEcbRates, parseYahooFxChart, YahooFxSource } from './fx-sources.js';

const ECB_XML = readFileSync(new URL('./fixtures/ecb/eurofxref-hist-90d.xml', import.meta.url), 'utf8');
const now = () => new Date('2024-03-18T12:00:00Z');

describe('ECB reference rates', () => {
  it('parses each day: units per one EUR', () => {
    const days = parseEcbRates(ECB_XML);
    expect([...days.keys()]).toEqual(['2024-03-15', '2024-03-14', '2024-03-13']);
    expect(days.get('2024-03-15')!.get('USD')!.toFixed()).toBe('1.0892');
    expect(days.get('2024-03-13')!.get('ZAR')!.toFixed()).toBe('20.4253');
  });

  it('answers a pair as quote per base, crossed through EUR, ascending; null for a pair it lacks', async () => {
    const stub = stubFetch(() => ({ body: ECB_XML }));
    const ecb = new EcbFxSource({ fetch: stub.fetch, now });
    const eurUsd = await ecb.series('EUR', 'USD', { from: '2024-03-01', to: '2024-03-18' });
    expect(eurUsd!.map((p) => [p.date, p.rate.toFixed()])).toEqual([
      ['2024-03-13', '1.0939'],
      ['2024-03-14', '1.0925'],
      ['2024-03-15', '1.0892'],
    ]);
    const gbpUsd = await ecb.series('GBP', 'USD', { from: '2024-03-15', to: '2024-03-15' });
    expect(gbpUsd![0]!.rate.toFixed()).toBe('1.273247998'); // 1.0892 / 0.85545
    expect(await ecb.series('EUR', 'BRL', { from: '2024-03-01', to: '2024-03-18' })).toBeNull();
    expect(stub.requests[0]!.pathname).toBe('/stats/eurofxref/eurofxref-hist-90d.xml');
  });
});

describe('Yahoo currency pairs', () => {
  it('parses the chart of EURUSD=X by its local dates', async () => {
    const body = JSON.parse(readFileSync(new URL('./fixtures/yahoo/chart-eurusd-daily.json', import.meta.url), 'utf8')) as unknown;
    expect(parseYahooFxChart(body)!.map((p) => [p.date, p.rate.toFixed()])).toEqual([
      ['2024-03-13', '1.0939333'],
      ['2024-03-14', '1.0924972'],
      ['2024-03-15', '1.0891838'],
    ]);
    const stub = stubFetch(() => ({ fixture: 'yahoo/chart-eurusd-daily.json' }));
    const series = await new YahooFxSource({ fetch: stub.fetch }).series('EUR', 'USD', { from: '2024-03-14', to: '2024-03-18' });
    expect(series!.map((p) => p.date)).toEqual(['2024-03-14', '2024-03-15']);
    expect(stub.requests[0]!.pathname).toBe('/v8/finance/chart/EURUSD=X');
  });

  it('an unknown pair (404) is null', async () => {
    const stub = stubFetch(() => ({ status: 404, fixture: 'yahoo/chart-not-found.json' }));
    expect(await new YahooFxSource({ fetch: stub.fetch }).series('EUR', 'XYZ', { from: '2024-03-14', to: '2024-03-18' })).toBeNull();
  });
});

describe('FxRates over the chain', () => {
  it("takes the last rate on or before a day (a weekend: Friday's), minor units, one fetch per pair", async () => {
    const stub = stubFetch(() => ({ body: ECB_XML }));
    const fx = new FxRates(now, [new EcbFxSource({ fetch: stub.fetch, now })]);
    expect((await fx.rate('EUR', 'USD', '2024-03-14'))!.rate.toFixed()).toBe('1.0925');
    const saturday = await fx.rate('EUR', 'USD', '2024-03-16');
    expect([saturday!.rate.toFixed(), saturday!.date, saturday!.source]).toEqual(['1.0892', '2024-03-15', 'ecb']);
    expect((await fx.rate('EUR', 'GBp', '2024-03-15'))!.rate.toFixed()).toBe('85.545');
    // One fetch per pair: EURUSD once for both days, EURGBP once.
    expect(stub.requests).toHaveLength(2);
    // A pair the ECB lacks falls to the simulated rates.
    expect((await fx.rate('EUR', 'BRL', '2024-03-15'))!.source).toBe('simulated');
  });

  it('a failing source is skipped for the next; with none answering, the simulated rates', async () => {
    const errors: string[] = [];
    const failing = new EcbFxSource({ fetch: stubFetch(() => ({ status: 503, body: 'down' })).fetch, now });
    const yahoo = new YahooFxSource({ fetch: stubFetch(() => ({ fixture: 'yahoo/chart-eurusd-daily.json' })).fetch });
    const fx = new FxRates(now, [failing, yahoo], (source) => errors.push(source));
    expect(await fx.rate('EUR', 'USD', '2024-03-15')).toMatchObject({ source: 'yahoo', date: '2024-03-15' });
    expect(errors).toEqual(['ecb']);
    const none = new FxRates(now, [failing], () => {});
    expect((await none.rate('EUR', 'USD', '2024-03-15'))!.source).toBe('simulated');
  });
});
