import type { Viewer, ViewerAuthority } from '../graphql/context.js';
import { unauthenticated } from '../platform/errors.js';
import { isApiTokenSecret, type ApiTokens } from './api-tokens.js';
import type { CheckTiming, SessionRevocations } from './revocation.js';
import type { TokenSigner } from './tokens.js';

/** A viewer with its token's expiry: long-lived connections (subscriptions) end when it does. */
export interface AuthenticatedViewer extends Viewer {
  expiresAt: Date;
}

/** Why an Authorization value was refused (the contract's `extensions.reason`). */
export type TokenRefusal = 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'TOKEN_INVALID';

/** An Authorization value's outcome: a viewer, anonymous (no header), or refused with a reason. */
export type Authentication = { viewer: AuthenticatedViewer | null } | { refused: TokenRefusal };

/**
 * Who is behind an `Authorization` value (HTTP header or WebSocket connectionParams). No value
 * is anonymous; a value that does not verify is refused with its reason, never anonymous
 * (RFC 6750: the client must learn that its token expired rather than that it is signed out).
 */
export async function authenticate(
  services: {
    tokens: Pick<TokenSigner, 'check'>;
    revocations: Pick<SessionRevocations, 'isRevoked'>;
    apiTokens?: Pick<ApiTokens, 'resolve'>;
  },
  authorization: string | undefined | null,
  ip: string | null = null,
  timing: CheckTiming = 'request',
): Promise<Authentication> {
  if (authorization === undefined || authorization === null || authorization.trim() === '') return { viewer: null };
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1]) return { refused: 'TOKEN_INVALID' };
  // A personal API token (fg_…): looked up in the database on every request, so revoking it
  // is effective at once on every replica. A revoked one has no row left: it reads as invalid.
  if (isApiTokenSecret(match[1])) {
    const viewer = services.apiTokens ? await services.apiTokens.resolve(match[1], ip) : null;
    return viewer ? { viewer } : { refused: 'TOKEN_INVALID' };
  }
  const checked = await services.tokens.check(match[1]);
  if ('failure' in checked) return { refused: checked.failure === 'expired' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID' };
  const { claims } = checked;
  // The session must be live and the token's own user's (`sub`), not merely some live session.
  if (await services.revocations.isRevoked(claims.sessionId, claims.userId, timing)) return { refused: 'TOKEN_REVOKED' };
  return { viewer: { userId: claims.userId, sessionId: claims.sessionId, expiresAt: claims.expiresAt } };
}

/** The caller behind an Authorization value, or null for none and for any refused one. */
export async function resolveViewer(
  services: Parameters<typeof authenticate>[0],
  authorization: string | undefined | null,
  ip: string | null = null,
  timing: CheckTiming = 'request',
): Promise<AuthenticatedViewer | null> {
  const outcome = await authenticate(services, authorization, ip, timing);
  return 'viewer' in outcome ? outcome.viewer : null;
}

/** The signed-in caller, or UNAUTHENTICATED. */
export function requireViewer(ctx: { viewer: Viewer | null }): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

/** The kernel's ViewerAuthority (src/graphql/context.ts), answered by auth. */
export function viewerAuthority(services: { tokens: TokenSigner; revocations: SessionRevocations; apiTokens: ApiTokens }): ViewerAuthority {
  return {
    resolve: (authorization, ip, timing) => resolveViewer(services, authorization, ip ?? null, timing),
    authenticate: (authorization, ip, timing) => authenticate(services, authorization, ip ?? null, timing),
    // An API token has no session: it is revoked when its row is gone.
    isRevoked: (viewer, timing) =>
      viewer.apiTokenScopes
        ? services.apiTokens.isRevoked(viewer.sessionId)
        : services.revocations.isRevoked(viewer.sessionId, viewer.userId, timing),
    // An API token was just read from PostgreSQL by resolve: nothing more to confirm.
    confirmedRevoked: async (viewer) =>
      !viewer.apiTokenScopes && (await services.revocations.confirmedRevoked(viewer.sessionId, viewer.userId)),
    revokedChannel: services.revocations.channel,
  };
}
