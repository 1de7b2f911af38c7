import type { Viewer, ViewerAuthority } from '../graphql/context.js';
import { unauthenticated } from '../platform/errors.js';
import { isApiTokenSecret, type ApiTokens } from './api-tokens.js';
import type { CheckTiming, SessionRevocations } from './revocation.js';
import type { TokenSigner } from './tokens.js';

/** A viewer with its token's expiry: long-lived connections (subscriptions) end when it does. */
export interface AuthenticatedViewer extends Viewer {
  expiresAt: Date;
}

/**
 * The caller behind an `Authorization: Bearer <token>` value (HTTP header or WebSocket
 * connectionParams), or null: no token, an invalid or expired one, or a revoked session.
 */
export async function resolveViewer(
  services: {
    tokens: Pick<TokenSigner, 'verify'>;
    revocations: Pick<SessionRevocations, 'isRevoked'>;
    apiTokens?: Pick<ApiTokens, 'resolve'>;
  },
  authorization: string | undefined | null,
  ip: string | null = null,
  timing: CheckTiming = 'request',
): Promise<AuthenticatedViewer | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1]) return null;
  // A personal API token (fg_…): looked up in the database on every request, so revoking it
  // is effective at once on every replica.
  if (isApiTokenSecret(match[1])) return services.apiTokens ? services.apiTokens.resolve(match[1], ip) : null;
  const claims = await services.tokens.verify(match[1]);
  if (!claims) return null;
  // The session must be live and the token's own user's (`sub`), not merely some live session.
  if (await services.revocations.isRevoked(claims.sessionId, claims.userId, timing)) return null;
  return { userId: claims.userId, sessionId: claims.sessionId, expiresAt: claims.expiresAt };
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
