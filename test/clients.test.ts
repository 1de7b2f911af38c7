/**
 * Real GraphQL clients with their defaults against a real server on a real port: Apollo Client 4
 * (HttpLink + GraphQLWsLink, automatic persisted queries on; only an auth link added), urql (GET
 * queries, subscriptionExchange over graphql-ws), graphql-request and the bare graphql-ws client.
 * Each signs up, queries, mutates and receives two live price ticks from the simulated feed.
 * APQ hashes registered on one replica are known to another that shares Redis.
 */
import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { Client as UrqlClient, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { GraphQLClient } from 'graphql-request';
import { print } from 'graphql';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreatePortfolioDocument, LiveQuotesDocument, MeDocument, RegisterDocument, ServerVersionDocument } from '../schema/sdk/graphql.js';
import { PriceFeed } from '../src/market/feed.js';
import { GOOD_PASSWORD, uniqueEmail } from './auth.js';
import { useTestApp } from './use-test-app.js';

let feed: PriceFeed;
let httpUrl: string;
let wsUrl: string;
let httpUrlB: string;
const logLines: Array<{ level: number; msg: string; req?: { method?: string; url?: string } }> = [];
const sockets: WsClient[] = [];

const a = useTestApp({ env: { LOG_LEVEL: 'info' }, logStream: { write: (line: string) => void logLines.push(JSON.parse(line)) } });
const b = useTestApp(() => ({ database: a.database, redisPrefix: a.config.REDIS_PREFIX }));
beforeAll(async () => {
  httpUrl = `${await a.app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
  wsUrl = httpUrl.replace(/^http/, 'ws');
  httpUrlB = `${await b.app.listen({ port: 0, host: '127.0.0.1' })}/graphql`;
  // The simulated price feed, publishing the watched symbols every 100 ms.
  feed = new PriceFeed(
    { market: a.app.services.market, redis: a.app.services.redis, prefix: a.config.REDIS_PREFIX, log: a.app.log },
    { intervalMs: 100 },
  );
  await feed.start();
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await feed?.close();
});

function graphqlWs(token: string, header: 'authorization' | 'Authorization' = 'authorization'): WsClient {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { [header]: `Bearer ${token}` },
  });
  sockets.push(client);
  return client;
}

const registration = () => ({ input: { email: uniqueEmail('client'), password: GOOD_PASSWORD, name: 'Client Person' } });

/** Resolves with the first `count` values an observable-like source emits. */
function firstValues<T>(
  subscribe: (sink: { next: (value: T) => void; error: (error: unknown) => void }) => () => void,
  count: number,
  timeoutMs = 8_000,
): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const values: T[] = [];
    // Assigned once subscribe returns; the callbacks created before that read it.
    // eslint-disable-next-line prefer-const
    let stop: (() => void) | undefined;
    const timer = setTimeout(() => {
      stop?.();
      reject(new Error(`only ${values.length} of ${count} values within ${timeoutMs} ms`));
    }, timeoutMs);
    stop = subscribe({
      next: (value) => {
        values.push(value);
        if (values.length === count) {
          clearTimeout(timer);
          setImmediate(() => stop?.());
          resolve(values);
        }
      },
      error: (error) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
      },
    });
  });
}

type Tick = { quotes: { symbol: string; price: string; source: string } };
function expectTwoTicks(ticks: Tick[], symbol: string) {
  expect(ticks).toHaveLength(2);
  for (const tick of ticks)
    expect(tick.quotes).toMatchObject({ symbol, price: expect.stringMatching(/^\d+(\.\d+)?$/), source: 'simulated' });
}

describe('real clients with their defaults', () => {
  it('Apollo Client 4: HttpLink with APQ, GraphQLWsLink, an auth link', async () => {
    let token: string | null = null;
    const auth = new SetContextLink((previous) => ({
      headers: { ...previous.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }));
    const persisted = new PersistedQueryLink({ sha256: (query: string) => createHash('sha256').update(query).digest('hex') });
    const http = ApolloLink.from([auth, persisted, new HttpLink({ uri: httpUrl })]);
    const ws = new GraphQLWsLink(
      createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: () => ({ authorization: `Bearer ${token}` }),
      }),
    );
    sockets.push(ws.client);
    const link = ApolloLink.split(
      ({ query }) => {
        const definition = getMainDefinition(query);
        return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
      },
      ws,
      http,
    );
    const client = new ApolloClient({ link, cache: new InMemoryCache() });

    const registered = await client.mutate({ mutation: RegisterDocument, variables: registration() });
    token = registered.data!.register.accessToken;
    const me = await client.query({ query: MeDocument, fetchPolicy: 'network-only' });
    expect(me.data?.me?.email).toBe(registered.data!.register.user.email);
    const created = await client.mutate({ mutation: CreatePortfolioDocument, variables: { input: { name: 'Apollo portfolio' } } });
    expect(created.data?.createPortfolio.name).toBe('Apollo portfolio');

    // APQ: the hash of Me is now registered in Redis, where the other replica finds it.
    const meHash = createHash('sha256')
      .update(print(client.documentTransform.transformDocument(MeDocument)))
      .digest('hex');
    expect(await a.app.services.redis.exists(`${a.config.REDIS_PREFIX}apq:${meHash}`)).toBe(1);
    const onB = await fetch(httpUrlB, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: meHash } } }),
    });
    expect(await onB.json()).toMatchObject({ data: { me: { email: registered.data!.register.user.email } } });

    const ticks = await firstValues<Tick>((sink) => {
      const subscription = client.subscribe({ query: LiveQuotesDocument, variables: { symbols: ['AAPL'] } }).subscribe({
        next: (result) => (result.error ? sink.error(result.error) : sink.next(result.data as Tick)),
        error: sink.error,
      });
      return () => subscription.unsubscribe();
    }, 2);
    expectTwoTicks(ticks, 'AAPL');
    client.stop();
  });

  it('urql: GET queries and subscriptionExchange over graphql-ws', async () => {
    let token: string | null = null;
    const socket = () => graphqlWs(token!);
    let ws: WsClient | null = null;
    const client = new UrqlClient({
      url: httpUrl,
      exchanges: [
        cacheExchange,
        fetchExchange,
        subscriptionExchange({
          forwardSubscription(request) {
            ws ??= socket();
            const input = { ...request, query: request.query ?? '' };
            return { subscribe: (sink) => ({ unsubscribe: ws!.subscribe(input, sink) }) };
          },
        }),
      ],
      fetchOptions: (): RequestInit => ({ headers: token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>) }),
    });

    const registered = await client.mutation(RegisterDocument, registration()).toPromise();
    expect(registered.error).toBeUndefined();
    token = registered.data!.register.accessToken;
    const mark = logLines.length;
    const me = await client.query(MeDocument, {}, { requestPolicy: 'network-only' }).toPromise();
    expect(me.error).toBeUndefined();
    expect(me.data?.me?.email).toBe(registered.data!.register.user.email);
    // urql sent the query as a GET (its default), with no preflight header.
    expect(logLines.slice(mark).some((l) => l.req?.method === 'GET' && l.req.url?.startsWith('/graphql?'))).toBe(true);
    const created = await client.mutation(CreatePortfolioDocument, { input: { name: 'urql portfolio' } }).toPromise();
    expect(created.error).toBeUndefined();
    expect(created.data?.createPortfolio.name).toBe('urql portfolio');
    // A mistake reaches urql with its code (graphql-response+json with status 400).
    const invalid = await client.query('query Broken { nope }', {}).toPromise();
    expect(invalid.error?.graphQLErrors[0]?.extensions.code).toBe('BAD_USER_INPUT');

    const ticks = await firstValues<Tick>((sink) => {
      const { unsubscribe } = client.subscription(LiveQuotesDocument, { symbols: ['MSFT'] }).subscribe((result) => {
        if (result.error) sink.error(result.error);
        else sink.next(result.data as Tick);
      });
      return unsubscribe;
    }, 2);
    expectTwoTicks(ticks, 'MSFT');
  });

  it('graphql-request and the bare graphql-ws client (Authorization in either case)', async () => {
    const anonymous = new GraphQLClient(httpUrl);
    const version = await anonymous.request(ServerVersionDocument);
    expect(version.version).toMatch(/^\d+\.\d+\.\d+/);
    const registered = await anonymous.request(RegisterDocument, registration());
    const token = registered.register.accessToken;
    const client = new GraphQLClient(httpUrl, { headers: { authorization: `Bearer ${token}` } });
    expect((await client.request(MeDocument)).me?.email).toBe(registered.register.user.email);
    expect((await client.request(CreatePortfolioDocument, { input: { name: 'graphql-request portfolio' } })).createPortfolio.name).toBe(
      'graphql-request portfolio',
    );
    // graphql-request with GET: no preflight header needed either.
    const viaGet = new GraphQLClient(httpUrl, { method: 'GET', headers: { authorization: `Bearer ${token}` } });
    expect((await viaGet.request(MeDocument)).me?.email).toBe(registered.register.user.email);
    // A refusal reaches graphql-request with the contract code.
    await expect(client.request('query Broken { nope }')).rejects.toMatchObject({
      response: { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] },
    });

    for (const header of ['authorization', 'Authorization'] as const) {
      const ws = graphqlWs(token, header);
      const ticks = await firstValues<Tick>(
        (sink) =>
          ws.subscribe<Tick>(
            { query: print(LiveQuotesDocument), variables: { symbols: ['NVDA'] } },
            {
              next: (result) => (result.errors ? sink.error(result.errors) : sink.next(result.data!)),
              error: sink.error,
              complete: () => {},
            },
          ),
        2,
      );
      expectTwoTicks(ticks, 'NVDA');
    }
  });

  it('logged nothing at warn or above for all of this', () => {
    expect(logLines.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
  });
});
