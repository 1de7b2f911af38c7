import type { Config } from '../config.js';
import type { Db } from '../platform/db.js';
import type { RedisChannels } from '../platform/redis-channels.js';

/** The signed-in caller, resolved once per request (HTTP header or WebSocket connectionParams). */
export interface Viewer {
  userId: string;
  /** The session of an access token; for a personal API token, that token's id. */
  sessionId: string;
  /** Set when the caller presented a personal API token: what it may do (READ, WRITE). */
  apiTokenScopes?: readonly ('READ' | 'WRITE')[];
}

/**
 * 'request' (the default): the session check goes out at once. 'connect' (WebSocket connects):
 * it may wait a few milliseconds to share its Redis read with other connects of a burst.
 */
export type ViewerCheckTiming = 'request' | 'connect';

/**
 * Who is behind an access token and whether their session still stands. Auth implements it (its
 * door's viewerAuthority); the kernel only calls it, so it knows no domain.
 */
export interface ViewerAuthority {
  /** The caller behind an `Authorization: Bearer <token>` value, with the token's expiry, or null. */
  resolve(
    authorization: string | null | undefined,
    ip?: string | null,
    timing?: ViewerCheckTiming,
  ): Promise<(Viewer & { expiresAt: Date }) | null>;
  /**
   * The same, saying why a value that does not verify is refused (TOKEN_EXPIRED, TOKEN_REVOKED,
   * TOKEN_INVALID); no value at all is anonymous (`viewer: null`).
   */
  authenticate(
    authorization: string | null | undefined,
    ip?: string | null,
    timing?: ViewerCheckTiming,
  ): Promise<{ viewer: (Viewer & { expiresAt: Date }) | null } | { refused: 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'TOKEN_INVALID' }>;
  /** Whether the viewer's session (or personal API token) has been revoked since it was resolved. */
  isRevoked(viewer: Viewer, timing?: ViewerCheckTiming): Promise<boolean>;
  /** The same, asked of the record of truth (PostgreSQL) rather than a cache: writes use it. */
  confirmedRevoked(viewer: Viewer): Promise<boolean>;
  /** The Redis channel that announces revoked sessions (their subscriptions end at once). */
  readonly revokedChannel: string;
}

/**
 * The services resolvers reach as ctx.services. The kernel names what it uses itself; the
 * composition root (src/services.ts) adds the domains' services to this interface by declaration
 * merging, so the kernel imports no domain.
 */
export interface ContextServices {
  config: Config;
  version: string;
  db: Db;
  /** This instance's one Redis pub/sub subscriber connection (price ticks, revocations). */
  channels: RedisChannels;
  viewers: ViewerAuthority;
}

export interface Context {
  services: ContextServices;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  viewer: Viewer | null;
  /** Per-request loaders and memoised lookups, created lazily by each domain. */
  cache: Map<symbol, unknown>;
  /** The caller charged the request budget already (a REST route's fixed cost): GraphQL's budget hook charges nothing more. */
  budgetCharged?: boolean;
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
