/**
 * Single flight: concurrent requests for the same key share one load instead of each starting
 * their own (ten requests for AAPL's quote in the same instant cost one provider call).
 * A key is in flight from the start of its load until the load settles.
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>();

  /** Runs `load` for `key` unless a load for it is already running, whose result is shared. */
  run(key: string, load: () => Promise<V>): Promise<V> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const promise = load();
    this.track(key, promise);
    return promise;
  }

  /**
   * Many keys at once: keys already in flight join their loads; the rest are loaded together by
   * one call of `loadBatch`, and each of them is in flight until that call settles.
   * `loadBatch` answers with a value for every key it was given (absent keys get `missing`).
   */
  async runBatch(keys: readonly string[], loadBatch: (keys: string[]) => Promise<Map<string, V>>, missing: V): Promise<Map<string, V>> {
    const waiting: Array<[string, Promise<V>]> = [];
    const toLoad: string[] = [];
    for (const key of new Set(keys)) {
      const running = this.inFlight.get(key);
      if (running) waiting.push([key, running]);
      else toLoad.push(key);
    }
    if (toLoad.length > 0) {
      const batch = loadBatch(toLoad);
      for (const key of toLoad) {
        const promise = batch.then((values) => (values.has(key) ? (values.get(key) as V) : missing));
        this.track(key, promise);
        waiting.push([key, promise]);
      }
    }
    const settled = await Promise.all(waiting.map(async ([key, promise]) => [key, await promise] as const));
    return new Map(settled);
  }

  /** Keys being loaded right now (for tests and diagnostics). */
  get size(): number {
    return this.inFlight.size;
  }

  private track(key: string, promise: Promise<V>): void {
    this.inFlight.set(key, promise);
    const forget = () => {
      if (this.inFlight.get(key) === promise) this.inFlight.delete(key);
    };
    // The caller handles the rejection; this branch only cleans up.
    promise.then(forget, forget);
  }
}
