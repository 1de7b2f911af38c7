/**
 * Shared fan-out for subscriptions whose events look the same to every viewer (a quote tick):
 * each event is executed and serialized once per distinct operation (document, operation name
 * and variables), and the same bytes go to every subscriber, framed as graphql-ws `next`
 * messages whose only difference is the subscription id (a prefix built once per subscription,
 * then the shared payload).
 *
 * - A subscription field opts in with `extensions: { [SHARED_EVENTS]: true }`, which promises
 *   that resolving an event (the field's `resolve` and everything below it) reads nothing of
 *   the viewer. Subscribing is still per subscriber: the field's `subscribe` (authorization, the
 *   viewer's own source stream) runs with each subscriber's context, so who gets which events
 *   stays a per-viewer decision. Per-viewer payloads (a valuation, notifications) do not opt in
 *   and keep graphql-ws' own per-subscriber execution (src/graphql/ws.ts).
 * - Events are matched by identity: a source hands the same event object to every subscriber
 *   (the quote relay decodes each tick once), and the rendering is memoised on that object.
 * - Backpressure: frames are written without waiting, so a slow socket never delays the others;
 *   a socket whose unsent bytes (ws' bufferedAmount) exceed `maxBufferedBytes` is closed with
 *   SLOW_CONSUMER_CLOSE_CODE instead of queueing more (graphql-ws' client reconnects after it).
 * - A result with errors is formatted per subscriber (the error carries its request id).
 */
import {
  createSourceEventStream,
  execute,
  Kind,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { WebSocket } from 'ws';

/** The field extension a subscription field sets to share its events among viewers. */
export const SHARED_EVENTS = 'sharedEvents';

/** 1013 Try Again Later: graphql-ws' client treats it as retryable. */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;
export const SLOW_CONSUMER_REASON = 'Too slow: events not read';

/**
 * A rendered event: the shared payload's UTF-8 bytes (encoded once, not once per socket) and the
 * whole frames built from it, by frame prefix; or a result with errors to format per subscriber.
 */
type Rendered = { payload: Buffer; frames: Map<string, Buffer>; result?: undefined } | { payload?: undefined; result: ExecutionResult };

/**
 * Whole frames kept per rendering: subscribers that chose the same subscription id (a client
 * library's counter, "1") share one Buffer; beyond that many distinct ids (UUIDs) each frame is
 * built for its socket and dropped once written.
 */
const SHARED_FRAMES_PER_RENDERING = 64;
const FRAME_END = 0x7d; // '}'

/** Where a shared subscription's frames go. */
export interface SharedTarget {
  socket: WebSocket;
  /** The subscription id, as the client chose it. */
  id: string;
  /** Which operation it runs: subscriptions with the same key share every rendering. */
  key: string;
  /** Formats a result with errors for this subscriber (as graphql-ws' onNext would). */
  formatErrors: (result: ExecutionResult) => unknown;
}

export interface SharedFanoutOptions {
  /** Unsent bytes a socket may hold before it is closed as a slow consumer. */
  maxBufferedBytes: number;
  /** Counts one execution (and serialization) of an event. */
  onExecute: () => void;
  /** Called when a socket is closed for reading too slowly. */
  onSlowConsumer: () => void;
}

export class SharedFanout {
  /** Renderings of each event, by operation key; gone with the event. */
  private readonly rendered = new WeakMap<object, Map<string, Rendered | Promise<Rendered>>>();
  /** The arguments each operation's events are executed with, while it has subscribers. */
  private readonly executors = new Map<string, { args: ExecutionArgs; subscribers: number }>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: SharedFanoutOptions,
  ) {}

  /**
   * The sharing key of an operation whose only root selection is a field marked SHARED_EVENTS,
   * else null (fragments at the root are not looked into: they simply do not share).
   */
  keyOf(operation: OperationDefinitionNode, query: string, operationName: string | null | undefined, variables: unknown): string | null {
    if (operation.operation !== 'subscription') return null;
    const selections = operation.selectionSet.selections;
    const only = selections.length === 1 ? selections[0] : undefined;
    if (only?.kind !== Kind.FIELD) return null;
    const field = this.schema.getSubscriptionType()?.getFields()[only.name.value];
    if (field?.extensions[SHARED_EVENTS] !== true) return null;
    return `${operationName ?? ''}\u0000${JSON.stringify(variables ?? null)}\u0000${query}`;
  }

  /**
   * graphql's subscribe() for a shared subscription: the source stream is this subscriber's own;
   * its events are rendered once for everyone and written to `target.socket` here. The iterator
   * returned yields nothing (graphql-ws sends no `next` itself) and ends with the source.
   */
  async subscribe(args: ExecutionArgs, target: SharedTarget): Promise<AsyncIterableIterator<never> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const { key } = target;
    let executor = this.executors.get(key);
    if (!executor) this.executors.set(key, (executor = { args: { ...args }, subscribers: 0 }));
    executor.subscribers++;
    // Events are executed with the operation's executor (the first subscriber's arguments; the
    // payload reads no viewer), so this subscriber's context (its scope-auth caches, request
    // id: ~1.5 KB) need not live as long as its socket. graphql-ws keeps `args` for a `next`
    // it never sends here (the iterator yields nothing).
    args.contextValue = undefined;
    const shared = executor;
    const leave = () => {
      if (--shared.subscribers === 0 && this.executors.get(key) === shared) this.executors.delete(key);
    };
    return new SharedDelivery(source[Symbol.asyncIterator](), (event) => this.render(event, shared.args, key), target, this.options, leave);
  }

  private render(event: unknown, args: ExecutionArgs, key: string): Rendered | Promise<Rendered> {
    if (typeof event !== 'object' || event === null) return this.execute(event, args);
    let byKey = this.rendered.get(event);
    if (!byKey) this.rendered.set(event, (byKey = new Map()));
    let rendering = byKey.get(key);
    if (!rendering) byKey.set(key, (rendering = this.execute(event, args)));
    return rendering;
  }

  /** One execution of the event with the first subscriber's arguments (the payload reads no viewer). */
  private execute(event: unknown, args: ExecutionArgs): Rendered | Promise<Rendered> {
    this.options.onExecute();
    const toRendered = (result: ExecutionResult): Rendered =>
      result.errors?.length ? { result } : { payload: Buffer.from(JSON.stringify(result)), frames: new Map() };
    const result = execute({ ...args, rootValue: event });
    return isPromise(result) ? result.then(toRendered) : toRendered(result);
  }
}

/** One subscriber's delivery loop: its source's events, rendered (shared), written to its socket. */
class SharedDelivery implements AsyncIterableIterator<never> {
  /** `{"id":…,"type":"next","payload":` for this subscription; the payload and `}` follow. */
  private readonly framePrefix: string;
  private left = false;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly render: (event: unknown) => Rendered | Promise<Rendered>,
    private readonly target: SharedTarget,
    private readonly options: SharedFanoutOptions,
    private readonly onLeave: () => void,
  ) {
    this.framePrefix = `{"id":${JSON.stringify(target.id)},"type":"next","payload":`;
  }

  async next(): Promise<IteratorResult<never>> {
    for (;;) {
      const step = await this.source.next();
      if (step.done) {
        this.leave();
        return { done: true, value: undefined };
      }
      const rendering = this.render(step.value);
      // Most events are rendered already (by the first subscriber): no extra turn for those.
      const rendered = isPromise(rendering) ? await rendering : rendering;
      if (!this.write(rendered)) {
        await this.return();
        return { done: true, value: undefined };
      }
    }
  }

  async return(): Promise<IteratorResult<never>> {
    this.leave();
    await this.source.return?.();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<never>> {
    this.leave();
    await this.source.return?.();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Writes one frame without waiting for it; false when the socket is gone or too far behind. */
  private write(rendered: Rendered): boolean {
    const { socket } = this.target;
    if (socket.readyState !== socket.OPEN) return false;
    if (socket.bufferedAmount > this.options.maxBufferedBytes) {
      this.options.onSlowConsumer();
      socket.close(SLOW_CONSUMER_CLOSE_CODE, SLOW_CONSUMER_REASON);
      // A peer that reads nothing would never take the close frame either.
      setTimeout(() => socket.terminate(), 1000).unref();
      return false;
    }
    // A text frame (binary: false) of bytes built once per rendering, not a string to encode.
    socket.send(
      rendered.payload ? this.frameOf(rendered) : `${this.framePrefix}${JSON.stringify(this.target.formatErrors(rendered.result))}}`,
      {
        binary: false,
      },
    );
    return true;
  }

  private leave(): void {
    if (this.left) return;
    this.left = true;
    this.onLeave();
  }

  /** This subscription's whole `next` frame for a shared rendering. */
  private frameOf(rendered: Extract<Rendered, { payload: Buffer }>): Buffer {
    const shared = rendered.frames.get(this.framePrefix);
    if (shared) return shared;
    // The prefix is encoded here, not kept as bytes per subscription (a pooled slice each).
    const prefixLength = Buffer.byteLength(this.framePrefix);
    const frame = Buffer.allocUnsafe(prefixLength + rendered.payload.length + 1);
    frame.write(this.framePrefix, 0);
    rendered.payload.copy(frame, prefixLength);
    frame[frame.length - 1] = FRAME_END;
    if (rendered.frames.size < SHARED_FRAMES_PER_RENDERING) rendered.frames.set(this.framePrefix, frame);
    return frame;
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | null)?.then === 'function';
}
