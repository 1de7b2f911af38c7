import { Redis } from 'ioredis';

export type { Redis };

/**
 * A Redis connection for commands. Keys are prefixed by the caller (config.REDIS_PREFIX) rather
 * than with ioredis' keyPrefix, because BullMQ and pub/sub channels do not honour keyPrefix.
 */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    // Commands wait for a reconnect instead of failing at once during a Redis restart.
    maxRetriesPerRequest: 3,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

/** A connection for BullMQ, which needs maxRetriesPerRequest: null (its blocking commands wait indefinitely). */
export function bullConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: 'foliograph:bullmq' });
}
