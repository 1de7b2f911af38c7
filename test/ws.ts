/**
 * WebSocket test helpers: the app on a real port, the real `graphql-ws` client with typed
 * documents, a subscription whose events a test awaits one by one, and a raw `ws` socket for
 * protocol-level checks (close codes).
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestApp } from './harness.js';

/** Listens on 127.0.0.1 at a free port; returns the subscriptions URL. */
export async function listen(t: TestApp): Promise<string> {
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `${address.replace(/^http/, 'ws')}/graphql`;
}

/** The graphql-ws client as an SPA would use it (token in connectionParams), without retries. */
const openClients = new Set<Client>();

export function wsClient(url: string, token: string | null, options: Partial<ClientOptions> = {}): Client {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : undefined,
    retryAttempts: 0,
    ...options,
  });
  openClients.add(client);
  return client;
}

/** Disposes every client a test made, so a test that failed midway cannot leave live
 * subscriptions behind for the next one (use in afterEach). */
export async function disposeClients(): Promise<void> {
  const clients = [...openClients];
  openClients.clear();
  await Promise.all(clients.map((c) => c.dispose()));
}

export type SubscriptionEvent<T> =
  | { type: 'next'; result: FormattedExecutionResult<T, unknown>; at: number }
  | { type: 'error'; error: unknown; at: number }
  | { type: 'complete'; at: number };

/** Items that arrive on their own (events, messages), taken one at a time in arrival order. */
class Inbox<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | null = null;

  push(item: T): void {
    this.items.push(item);
    this.waiter?.();
  }

  /** The next item, waiting up to `timeoutMs` for one (then throws, naming `what`). */
  async take(timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.items.shift()!;
  }

  /** Every item not taken yet. */
  drain(): T[] {
    return this.items.splice(0);
  }
}

/** A running subscription; `next()` waits for its next event. */
export class LiveSubscription<T> {
  private readonly events = new Inbox<SubscriptionEvent<T>>();
  readonly unsubscribe: () => void;

  constructor(client: Client, document: TypedDocumentNode<T, Record<string, unknown>> | TypedDocumentNode<T, never>, variables: object) {
    const push = (event: SubscriptionEvent<T>) => this.events.push(event);
    this.unsubscribe = client.subscribe<T>(
      { query: print(document), variables: variables as Record<string, unknown> },
      {
        next: (result) => push({ type: 'next', result, at: Date.now() }),
        error: (error) => push({ type: 'error', error, at: Date.now() }),
        complete: () => push({ type: 'complete', at: Date.now() }),
      },
    );
  }

  next(timeoutMs = 5_000): Promise<SubscriptionEvent<T>> {
    return this.events.take(timeoutMs, 'subscription event');
  }

  /** The next event, which must be a result without errors. */
  async data(timeoutMs?: number): Promise<T> {
    const event = await this.next(timeoutMs);
    if (event.type !== 'next' || event.result.errors || !event.result.data) {
      throw new Error(`expected data, got ${JSON.stringify(event)}`);
    }
    return event.result.data;
  }

  /** Events that arrived and were not read yet. */
  pending(): SubscriptionEvent<T>[] {
    return this.events.drain();
  }
}

export function subscribe<T, V extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<T, V>,
  variables: V,
): LiveSubscription<T> {
  return new LiveSubscription<T>(client, document as TypedDocumentNode<T, Record<string, unknown>>, variables);
}

export interface Closed {
  code: number;
  reason: string;
}

/** A raw protocol socket: send messages, read replies, see how it closes. */
export class RawSocket {
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<Closed>;
  private readonly messages = new Inbox<Record<string, unknown>>();

  constructor(url: string, protocol: string | null = 'graphql-transport-ws', options: WebSocket.ClientOptions = {}) {
    this.socket = protocol ? new WebSocket(url, protocol, options) : new WebSocket(url, options);
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    // A refused handshake shows in `closed` too; tests that expect one need not await this.
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => this.socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    this.socket.on('message', (data) => this.messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  }

  async send(message: unknown): Promise<void> {
    await this.opened;
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** connection_init with the token, then waits for connection_ack. */
  async init(token: string): Promise<void> {
    await this.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    const ack = await this.message();
    if (ack.type !== 'connection_ack') throw new Error(`expected connection_ack, got ${JSON.stringify(ack)}`);
  }

  message(timeoutMs = 5_000): Promise<Record<string, unknown>> {
    return this.messages.take(timeoutMs, 'message');
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Polls `probe` until `accept` holds (or fails after `timeoutMs`). */
export async function eventually<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
