/**
 * Sliding-window call budget for a metered upstream (Alpha Vantage: 5 calls a minute, 25 a day on
 * the free tier). It never waits: a call over budget is refused at once, so a request is not held
 * for a minute behind the limit while a fallback provider could answer.
 */
export interface RateWindow {
  maxCalls: number;
  windowMs: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export class RateLimiter {
  /** Call times per window, oldest first; only the last maxCalls matter. */
  private readonly callTimes: number[][];

  constructor(
    private readonly windows: readonly RateWindow[],
    private readonly now: () => number = Date.now,
  ) {
    for (const window of windows) {
      if (!(window.maxCalls >= 1) || !(window.windowMs > 0)) {
        throw new RangeError(`invalid rate window ${JSON.stringify(window)}`);
      }
    }
    this.callTimes = windows.map(() => []);
  }

  /** Takes one call from every window, or none of them when any window is spent. */
  tryAcquire(): RateDecision {
    const now = this.now();
    let retryAfterMs = 0;
    this.windows.forEach((window, i) => {
      const times = this.callTimes[i]!;
      while (times.length > 0 && times[0]! <= now - window.windowMs) times.shift();
      if (times.length >= window.maxCalls) {
        retryAfterMs = Math.max(retryAfterMs, times[0]! + window.windowMs - now);
      }
    });
    if (retryAfterMs > 0) return { allowed: false, retryAfterMs };
    for (const times of this.callTimes) times.push(now);
    return { allowed: true };
  }
}
