/**
 * Redis pub/sub for one process: ONE subscriber connection, shared by every listener (price
 * ticks, session revocations). A channel is subscribed in Redis while it has at least one local
 * listener and unsubscribed when the last one leaves (reference counting by listener set).
 *
 * Survives Redis restarts: ioredis reconnects and, with `autoResubscribe` (its default, set
 * explicitly here), subscribes again to every channel it was subscribed to. Messages published
 * while the connection is down are lost (Redis pub/sub is at-most-once), which suits live ticks.
 */
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import { OutageLog } from './redis.js';

export type MessageHandler = (message: string) => void;

export class RedisChannels {
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, Set<MessageHandler>>();
  /** The SUBSCRIBE in flight (or done) for each channel with listeners. */
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(
    url: string,
    connectionName: string,
    private readonly log: Pick<FastifyBaseLogger, 'warn' | 'error'> & Partial<Pick<FastifyBaseLogger, 'info'>>,
  ) {
    this.subscriber = new Redis(url, {
      connectionName,
      autoResubscribe: true,
      // A subscriber connection only sends (UN)SUBSCRIBE; those wait across reconnects.
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    // Without an 'error' listener ioredis reports every failed reconnect as an unhandled error;
    // one warn line per outage is enough.
    const outage = new OutageLog(
      {
        warn: (obj, msg) => !this.closed && this.log.warn(obj, msg),
        info: (obj, msg) => !this.closed && (this.log.info ?? this.log.warn).call(this.log, obj, msg),
      },
      connectionName,
    );
    this.subscriber.on('error', (error: Error) => outage.failed(error));
    this.subscriber.on('ready', () => outage.recovered());
  }

  /**
   * Starts delivering `channel`'s messages to `handler`. Resolves once Redis has confirmed the
   * subscription, with the function that stops it.
   */
  async listen(channel: string, handler: MessageHandler): Promise<() => void> {
    if (this.closed) throw new Error('RedisChannels is closed');
    let handlers = this.listeners.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.listeners.set(channel, handlers);
      // Commands on one connection run in order, so a SUBSCRIBE issued after an UNSUBSCRIBE
      // of the same channel leaves it subscribed.
      this.subscribed.set(channel, this.subscriber.subscribe(channel));
    }
    handlers.add(handler);
    let active = true;
    const stop = () => {
      if (!active) return;
      active = false;
      this.remove(channel, handler);
    };
    try {
      await this.subscribed.get(channel);
    } catch (error) {
      stop();
      throw error;
    }
    return stop;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.subscribed.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private remove(channel: string, handler: MessageHandler): void {
    const handlers = this.listeners.get(channel);
    if (!handlers?.delete(handler) || handlers.size > 0) return;
    this.listeners.delete(channel);
    this.subscribed.delete(channel);
    if (this.closed) return;
    this.subscriber.unsubscribe(channel).catch((error: unknown) => {
      this.log.warn({ err: error, channel }, 'redis unsubscribe failed');
    });
  }

  private dispatch(channel: string, message: string): void {
    const handlers = this.listeners.get(channel);
    if (!handlers) return;
    for (const handler of handlers) {
      try {
        handler(message);
      } catch (error) {
        this.log.error({ err: error, channel }, 'pub/sub message handler failed');
      }
    }
  }
}
