/**
 * The app's connections as named Fastify plugins (fastify-plugin, as fastify/demo does): each
 * decorates the instance and closes its connection in its own onClose hook. Fastify closes in
 * reverse registration order, and a plugin's `dependencies` must be registered before it, so
 * whatever uses a connection (the services plugin, src/app.ts) is closed before the connection.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createDb, type Db } from './db.js';
import { RedisChannels } from './redis-channels.js';
import { createRedis, type Redis } from './redis.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    redis: Redis;
    channels: RedisChannels;
  }
}

export const dbPlugin = fp(
  async (app: FastifyInstance, options: { url: string; logQueries?: boolean; poolSize?: number }) => {
    const db = createDb({ url: options.url, logQueries: options.logQueries, poolSize: options.poolSize });
    app.decorate('db', db);
    app.addHook('onClose', async () => {
      await db.$disconnect();
    });
  },
  { name: 'db', fastify: '5.x' },
);

export const redisPlugin = fp(
  async (app: FastifyInstance, options: { url: string; connectionName: string; commandTimeoutMs?: number }) => {
    const redis = createRedis(options.url, options.connectionName, { log: app.log, commandTimeoutMs: options.commandTimeoutMs });
    app.decorate('redis', redis);
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  },
  { name: 'redis', fastify: '5.x' },
);

/** This instance's one Redis pub/sub subscriber connection (price ticks, revocations). */
export const channelsPlugin = fp(
  async (app: FastifyInstance, options: { url: string; connectionName: string }) => {
    const channels = new RedisChannels(options.url, options.connectionName, app.log);
    app.decorate('channels', channels);
    app.addHook('onClose', async () => {
      await channels.close();
    });
  },
  { name: 'channels', fastify: '5.x' },
);
