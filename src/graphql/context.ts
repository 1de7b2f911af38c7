import type { AppServices } from '../services.js';

/** The signed-in caller, resolved once per request (HTTP header or WebSocket connectionParams). */
export interface Viewer {
  userId: string;
  sessionId: string;
}

export interface Context {
  services: AppServices;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  viewer: Viewer | null;
  /** Per-request loaders and memoised lookups, created lazily by each domain. */
  cache: Map<symbol, unknown>;
}

/** A per-request memo: one instance of `create()`'s result per request and key. */
export function perRequest<T>(ctx: Context, key: symbol, create: () => T): T {
  let value = ctx.cache.get(key) as T | undefined;
  if (value === undefined) {
    value = create();
    ctx.cache.set(key, value);
  }
  return value;
}
