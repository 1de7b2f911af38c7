/**
 * Redis connections that degrade instead of stalling the API.
 *
 * Redis holds caches, rate-limit counters, revocation entries and queues; PostgreSQL holds the
 * records of truth. So a command connection here never waits for Redis: with Redis down a
 * command fails at once (no offline queue), and with Redis frozen it fails after
 * REDIS_COMMAND_TIMEOUT_MS. The first timeout opens a breaker: later commands fail at once
 * (RedisUnavailableError) while one PING at a time probes, until Redis answers again. Callers
 * then use their fallback (PostgreSQL, a per-process limiter, no cache).
 *
 * Every connection has an 'error' listener that logs one warn line per outage and one info line
 * when it is over (without one, ioredis prints "Unhandled error event" on every reconnect).
 *
 * Keys are prefixed by the caller (config.REDIS_PREFIX) rather than with ioredis' keyPrefix,
 * because BullMQ and pub/sub channels do not honour keyPrefix.
 */
import { Redis, type RedisOptions } from 'ioredis';

export type { Redis };

export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 500;

/** Thrown instead of sending a command while the breaker is open. */
export class RedisUnavailableError extends Error {
  constructor(readonly connection: string) {
    super(`Redis is unavailable (${connection})`);
    this.name = 'RedisUnavailableError';
  }
}

/** How ioredis rejects a command it could not get answered (ioredis' own wording). */
const OUTAGE_MESSAGES = ['Command timed out', "Stream isn't writeable", 'Connection is closed', 'max retries per request'];
/** What a connection reports while it cannot reach Redis (its 'error' events). */
const CONNECTION_MESSAGES = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'connect ETIMEDOUT'];

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * True for a Redis command that failed because Redis is not reachable right now (as opposed to
 * a bad command): callers use their fallback and need not log each one, the connection logs
 * the outage once.
 */
export function isRedisOutage(error: unknown): boolean {
  if (error instanceof RedisUnavailableError) return true;
  const message = messageOf(error);
  return OUTAGE_MESSAGES.some((m) => message.includes(m));
}

/** True also for the errors a connection (or BullMQ on its behalf) emits while reconnecting. */
export function isRedisConnectionError(error: unknown): boolean {
  const message = messageOf(error);
  return isRedisOutage(error) || CONNECTION_MESSAGES.some((m) => message.includes(m));
}

type Log = { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };

/**
 * Logs an outage once: the first error after a healthy period is a warn line, later ones are
 * counted silently, and `recovered()` says how long it lasted.
 */
export class OutageLog {
  private since: number | null = null;
  private suppressed = 0;

  constructor(
    private readonly log: Log | undefined,
    private readonly what: string,
  ) {}

  get down(): boolean {
    return this.since !== null;
  }

  failed(error: unknown): void {
    if (this.since !== null) {
      this.suppressed++;
      return;
    }
    this.since = Date.now();
    this.suppressed = 0;
    this.log?.warn({ err: error, connection: this.what }, `redis unavailable (${this.what}); degrading until it is back`);
  }

  recovered(): void {
    if (this.since === null) return;
    this.log?.info(
      { connection: this.what, outageMs: Date.now() - this.since, errors: this.suppressed },
      `redis available again (${this.what})`,
    );
    this.since = null;
  }
}

export interface RedisConnectionOptions {
  log?: Log;
  /** Milliseconds a command may take before it fails (and opens the breaker). */
  commandTimeoutMs?: number;
}

const PROBE = Symbol('probe');
type ProbeCommand = { [PROBE]?: true; name: string; reject(error: Error): void; promise: Promise<unknown> };

/** A command connection with a command timeout and a breaker (see the top of this file). */
class GuardedRedis extends Redis {
  private breakerOpen = false;
  private probing = false;
  private letThrough = false;

  constructor(
    url: string,
    options: RedisOptions & { replyMapping?: 'legacy' },
    private readonly outage: OutageLog,
    private readonly probeEveryMs: number,
  ) {
    super(url, options);
    this.on('error', (error: Error) => outage.failed(error));
    this.on('ready', () => {
      // Commands sent before the first connection was up waited for it (bounded by the command
      // timeout); from now on a command never waits for a reconnect.
      this.options.enableOfflineQueue = false;
      this.breakerOpen = false;
      outage.recovered();
    });
    // Not emitted after quit()/disconnect(): an orderly shutdown is no outage.
    this.on('reconnecting', () => outage.failed(new Error('Connection is closed')));
  }

  /** False while Redis is known to be unreachable: skip it without trying. */
  get available(): boolean {
    // Before the first connection is up, commands wait for it (bounded by the command timeout).
    return !this.breakerOpen && (this.status === 'ready' || (this.options.enableOfflineQueue === true && this.status !== 'end'));
  }

  override sendCommand(...args: Parameters<Redis['sendCommand']>): ReturnType<Redis['sendCommand']> {
    const command = args[0] as unknown as ProbeCommand;
    if (this.letThrough) command[PROBE] = true;
    if (this.breakerOpen && !command[PROBE] && command.name !== 'quit') {
      command.reject(new RedisUnavailableError(this.options.connectionName ?? 'redis'));
      return command.promise as ReturnType<Redis['sendCommand']>;
    }
    const result = super.sendCommand(...args);
    if (!command[PROBE]) {
      command.promise.catch((error: unknown) => {
        if (error instanceof Error && error.message === 'Command timed out') this.openBreaker(error);
      });
    }
    return result;
  }

  private openBreaker(error: Error): void {
    this.outage.failed(error);
    if (this.breakerOpen) return;
    this.breakerOpen = true;
    void this.probe();
  }

  /** One PING at a time until one is answered (the connection may also end meanwhile). */
  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      while (this.breakerOpen && this.status !== 'end') {
        const started = Date.now();
        try {
          await this.callProbe();
          this.breakerOpen = false;
          this.outage.recovered();
        } catch {
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, this.probeEveryMs - (Date.now() - started))).unref());
        }
      }
    } finally {
      this.probing = false;
    }
  }

  private callProbe(): Promise<unknown> {
    // ping() sends its command synchronously: the flag lets exactly that one through.
    this.letThrough = true;
    try {
      return this.ping();
    } finally {
      this.letThrough = false;
    }
  }
}

/** False while `redis` is known to be unreachable (the breaker is open or it is reconnecting). */
export function redisAvailable(redis: Redis): boolean {
  return redis instanceof GuardedRedis ? redis.available : redis.status !== 'end';
}

/** A Redis connection for commands, failing fast when Redis is down or frozen. */
export function createRedis(url: string, name: string, options: RedisConnectionOptions = {}): Redis {
  const timeout = options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
  return new GuardedRedis(
    url,
    {
      connectionName: name,
      // Fail over instead of queueing: callers have a fallback, a queued command only waits.
      // (Switched off at the first 'ready', so the very first commands wait for the connection.)
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      ...(timeout > 0 ? { commandTimeout: timeout } : {}),
      connectTimeout: Math.max(1000, timeout * 4),
      enableReadyCheck: true,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    },
    new OutageLog(options.log, name),
    Math.max(100, timeout),
  );
}

/**
 * A connection for BullMQ, which needs maxRetriesPerRequest: null (its blocking commands wait
 * indefinitely). A producer (`offlineQueue: false`) fails at once while Redis is down, so the
 * caller can keep the job elsewhere (the email outbox in PostgreSQL) and try again later.
 */
export function bullConnection(url: string, options: { name?: string; log?: Log; offlineQueue?: boolean } = {}): Redis {
  const name = options.name ?? 'foliograph:bullmq';
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: name,
    enableOfflineQueue: options.offlineQueue ?? true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  const outage = new OutageLog(options.log, name);
  redis.on('error', (error: Error) => outage.failed(error));
  redis.on('ready', () => outage.recovered());
  return redis;
}
