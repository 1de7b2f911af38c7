import type { Viewer, ViewerAuthority } from '../graphql/context.js';
import { unauthenticated } from '../platform/errors.js';
import type { SessionRevocations } from './revocation.js';
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
  services: { tokens: Pick<TokenSigner, 'verify'>; revocations: Pick<SessionRevocations, 'isRevoked'> },
  authorization: string | undefined | null,
): Promise<AuthenticatedViewer | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1]) return null;
  const claims = await services.tokens.verify(match[1]);
  if (!claims) return null;
  if (await services.revocations.isRevoked(claims.sessionId)) return null;
  return { userId: claims.userId, sessionId: claims.sessionId, expiresAt: claims.expiresAt };
}

/** The signed-in caller, or UNAUTHENTICATED. */
export function requireViewer(ctx: { viewer: Viewer | null }): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

/** The kernel's ViewerAuthority (src/graphql/context.ts), answered by auth. */
export function viewerAuthority(services: { tokens: TokenSigner; revocations: SessionRevocations }): ViewerAuthority {
  return {
    resolve: (authorization) => resolveViewer(services, authorization),
    isRevoked: (sessionId) => services.revocations.isRevoked(sessionId),
    revokedChannel: services.revocations.channel,
  };
}
