/**
 * Scheduling for batched lookups (DataLoader's batchScheduleFn, or a hand-made batch): a batch
 * is sent at the next turn of the event loop when none is in flight, else when the one in
 * flight has answered. Under a burst (10,000 WebSocket clients connecting) the batches grow
 * with the load instead of being one small command per turn, each costing a socket write and a
 * round trip; a lone caller waits for nothing but the turn (or `gatherMs`, for callers that can
 * wait a little for company). Every lookup is still sent after its caller asked.
 */
/** A batch slower than this no longer holds the next one back (a stuck query must not stall every caller). */
const MAX_HOLD_MS = 1000;

export class SerialBatches {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  /** `gatherMs` > 0: a batch opened with none in flight waits that long for company (not the next turn). */
  constructor(private readonly gatherMs = 0) {}

  /** Calls `send` when its turn comes (DataLoader: `batchScheduleFn: (run) => batches.schedule(run)`). */
  schedule(send: () => void): void {
    if (this.inFlight === 0 && this.waiting.length === 0) {
      if (this.gatherMs > 0) setTimeout(() => this.next(send), this.gatherMs);
      else setImmediate(() => this.next(send));
      return;
    }
    this.waiting.push(send);
  }

  /** Marks `work` (the batch's command) as in flight until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight++;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(hold);
      this.inFlight--;
      if (this.inFlight === 0) {
        const send = this.waiting.shift();
        if (send) setImmediate(() => this.next(send));
      }
    };
    const hold = setTimeout(done, MAX_HOLD_MS);
    hold.unref();
    work.then(done, done);
    return work;
  }

  private next(send: () => void): void {
    send();
    // A send that started nothing (every lookup answered locally) must not hold up the others.
    if (this.inFlight === 0) {
      const following = this.waiting.shift();
      if (following) setImmediate(() => this.next(following));
    }
  }
}
