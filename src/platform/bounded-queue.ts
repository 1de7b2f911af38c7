/**
 * A push-to-pull bridge for live streams: producers `push`, one consumer iterates. It holds at
 * most `capacity` items; when a consumer falls behind, the oldest items are dropped (live data
 * goes stale, so memory stays bounded and the consumer catches up with the newest values).
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | null = null;
  private finished = false;
  private failure: { error: unknown } | null = null;
  /** Items dropped because the consumer was too slow. */
  dropped = 0;

  /**
   * @param capacity the most items held for a slow consumer
   * @param onEnd called once when the stream ends: the consumer stopped (return) or `end`/`fail`
   */
  constructor(
    private readonly capacity: number,
    private readonly onEnd: () => void = () => {},
  ) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be at least 1');
  }

  get ended(): boolean {
    return this.finished;
  }

  push(item: T): void {
    if (this.finished) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (this.items.length > this.capacity) {
      this.items.shift();
      this.dropped++;
    }
  }

  /** Ends the stream after the items already queued. */
  end(): void {
    this.finish();
  }

  /** Ends the stream with an error, delivered after the items already queued. */
  fail(error: unknown): void {
    if (this.finished) return;
    this.failure = { error };
    this.finish();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift() as T, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** The consumer stops: drop what is queued and release the producer. */
  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.failure = null;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = null;
      if (this.failure) {
        const { error } = this.failure;
        this.failure = null;
        waiting.reject(error);
      } else {
        waiting.resolve({ value: undefined, done: true });
      }
    }
    this.onEnd();
  }
}
