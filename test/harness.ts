/**
 * Integration-test harness: a real app (real PostgreSQL database cloned from the template, real
 * Redis under a key prefix of its own) driven over HTTP with Fastify's inject or a real port.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { Redis } from 'ioredis';
import { buildApp, type App, type BuildOptions } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface GraphQLResult<TData> {
  status: number;
  data: TData | null | undefined;
  errors: GraphQLFormattedError[] | undefined;
  headers: Record<string, string | number | string[] | undefined>;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
}

export interface TestApp {
  app: App;
  config: Config;
  database: TestDatabase;
  gql<TData = Record<string, unknown>, TVariables = Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables> | string,
    variables?: TVariables,
    options?: RequestOptions,
  ): Promise<GraphQLResult<TData>>;
  close(): Promise<void>;
}

export interface TestAppOptions extends BuildOptions {
  env?: Record<string, string>;
  /** Share another app's database (two instances of one deployment). */
  database?: TestDatabase;
  /** Share another app's Redis key space. */
  redisPrefix?: string;
}

/** The code of the first error, for terse assertions. */
export function errorCode(result: { errors?: readonly GraphQLFormattedError[] }): unknown {
  return result.errors?.[0]?.extensions?.code;
}

export function testConfig(databaseUrl: string, redisPrefix: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: redisPrefix,
    JWT_KEY_FILE: join(tmpdir(), 'foliograph-test', 'jwt-private.pem'),
    MARKET_FEED_INTERVAL_MS: '0',
    RUN_WORKER_IN_PROCESS: 'false',
    SEED_DEMO: 'false',
    // Test files sign up many accounts from one address; tests of the sign-up limit set their own.
    REGISTRATIONS_PER_IP_PER_HOUR: '0',
    // Likewise sharing: role tests share a lot; the sharing limit's test sets its own.
    SHARES_PER_USER_PER_HOUR: '0',
    // Statement-count tests run for minutes: a session re-checked in PostgreSQL midway (the
    // production default is every 60 s) would add a statement to whichever request it falls in.
    SESSION_LIVE_CACHE_SECONDS: '3600',
    // Likewise the API-wide budget (tests of it set their own; benchmarks run without it).
    RATE_LIMIT_COST_PER_MINUTE: '0',
    ...env,
  });
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const ownsDatabase = !options.database;
  const prefix = options.redisPrefix ?? `test:${randomBytes(5).toString('hex')}:`;
  const config = testConfig(database.url, prefix, options.env);
  const app = await buildApp(config, options);
  await app.ready();

  return {
    app,
    config,
    database,
    async gql(document, variables, requestOptions = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...requestOptions.headers };
      if (requestOptions.token) headers.authorization = `Bearer ${requestOptions.token}`;
      const response = await app.inject({
        method: 'POST',
        url: '/graphql',
        headers,
        payload: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
      });
      const body = response.json() as { data?: never; errors?: GraphQLFormattedError[] };
      return { status: response.statusCode, data: body.data, errors: body.errors, headers: response.headers };
    },
    async close() {
      await app.close();
      if (!options.redisPrefix) await deleteKeys(config.REDIS_URL, prefix);
      if (ownsDatabase) await database.drop();
    },
  };
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Every value stored under the app's Redis prefix (hashes, lists, sets, streams, strings), as text. */
export async function redisDump(app: TestApp): Promise<string> {
  const redis = new Redis(app.config.REDIS_URL);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${app.config.REDIS_PREFIX}*`, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    const parts: unknown[] = [];
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'hash') parts.push(await redis.hgetall(key));
      else if (type === 'string') parts.push(await redis.get(key));
      else if (type === 'list') parts.push(await redis.lrange(key, 0, -1));
      else if (type === 'zset') parts.push(await redis.zrange(key, '0', '-1'));
      else if (type === 'set') parts.push(await redis.smembers(key));
      else if (type === 'stream') parts.push(await redis.xrange(key, '-', '+'));
    }
    return JSON.stringify({ keys, parts });
  } finally {
    redis.disconnect();
  }
}
