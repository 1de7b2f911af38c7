/**
 * Personal API tokens: long-lived credentials for scripts and integrations, presented as
 * `Authorization: Bearer fg_<secret>` wherever an access token is accepted. The secret is shown
 * once; the table keeps only its SHA-256 (the secret is random, so a fast hash is enough, and
 * lookup stays an index hit) and a short prefix to recognise it in lists.
 *
 * Every request looks the token up in PostgreSQL, so a revoked (deleted) token is refused by
 * every replica from the next request on; the revocation channel also closes its open
 * subscriptions at once. READ tokens may run queries and subscriptions, WRITE tokens mutations
 * too; no token may manage the account (password, MFA, sessions, tokens, deletion): those need
 * a signed-in session (`requireSessionViewer`).
 */
import type { ApiToken } from '../generated/prisma/client.js';
import type { Viewer } from '../graphql/context.js';
import { badInput, forbidden, notFound, Problems, unauthenticated } from '../platform/errors.js';
import type { AuthDeps, ClientInfo } from './deps.js';
import { newOpaqueToken, sha256Hex } from './opaque.js';
import { securityEvent } from './security-log.js';
import { apiTokenAlertEmail } from './email.js';
import type { EmailOutbox } from './email-outbox.js';

export type ApiTokenScope = 'READ' | 'WRITE';

export const API_TOKEN_PREFIX = 'fg_';
const SHOWN_PREFIX_LENGTH = API_TOKEN_PREFIX.length + 6;
const NAME_MAX_LENGTH = 100;
const MAX_EXPIRY_DAYS = 3650;
/** Tokens one account may hold at once: enough for any set of integrations, bounded all the same. */
export const MAX_API_TOKENS_PER_USER = 50;
/** lastUsedAt is written at most this often per token, so a busy script does not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** A token without an expiry: far enough for a subscription timer, and below setTimeout's limit. */
const NO_EXPIRY_HORIZON_MS = 24 * 60 * 60 * 1000;

export interface ApiTokenInput {
  name: string;
  scopes: readonly ApiTokenScope[];
  expiresInDays?: number | null;
}

export interface CreatedApiTokenData {
  token: string;
  apiToken: ApiToken;
}

/** The caller behind an API token, as resolveViewer answers it. */
export interface ApiTokenViewer extends Viewer {
  expiresAt: Date;
}

export function isApiTokenSecret(bearer: string): boolean {
  return bearer.startsWith(API_TOKEN_PREFIX);
}

/** The viewer may mutate: a session, or a WRITE token. */
export function canMutate(viewer: Viewer | null): boolean {
  return !viewer?.apiTokenScopes || viewer.apiTokenScopes.includes('WRITE');
}

/**
 * The signed-in caller with a session (not an API token), for account mutations; UNAUTHENTICATED
 * when anonymous, FORBIDDEN for an API token.
 */
export function requireSessionViewer(ctx: { viewer: Viewer | null }): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  if (ctx.viewer.apiTokenScopes) throw forbidden('API tokens cannot manage the account; sign in to do this');
  return ctx.viewer;
}

export class ApiTokens {
  constructor(
    private readonly deps: Pick<AuthDeps, 'db' | 'logger' | 'revocations' | 'config'>,
    /** Where the new-address alert goes; without one (unit tests) only the security log hears of it. */
    private readonly outbox?: Pick<EmailOutbox, 'record'>,
  ) {}

  async create(userId: string, input: ApiTokenInput, client: ClientInfo): Promise<CreatedApiTokenData> {
    const problems = new Problems();
    const name = input.name.trim();
    if (!name) problems.add('name', 'must not be empty');
    else if (name.length > NAME_MAX_LENGTH) problems.add('name', `must be at most ${NAME_MAX_LENGTH} characters`);
    const scopes = [...new Set(input.scopes)].sort();
    if (scopes.length === 0) problems.add('scopes', 'must name READ or WRITE');
    const days = input.expiresInDays;
    if (days != null && (!Number.isInteger(days) || days < 1 || days > MAX_EXPIRY_DAYS)) {
      problems.add('expiresInDays', `must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}`);
    }
    problems.throwIfAny();
    const { db } = this.deps;
    const held = await db.apiToken.count({ where: { userId } });
    if (held >= MAX_API_TOKENS_PER_USER) {
      throw badInput([{ field: 'name', message: `an account holds at most ${MAX_API_TOKENS_PER_USER} API tokens; revoke one first` }]);
    }
    const token = API_TOKEN_PREFIX + newOpaqueToken();
    const apiToken = await db.apiToken.create({
      data: {
        userId,
        name,
        scopes,
        prefix: token.slice(0, SHOWN_PREFIX_LENGTH),
        tokenHash: sha256Hex(token),
        expiresAt: days != null ? new Date(Date.now() + days * 86_400_000) : null,
      },
    });
    securityEvent(this.deps.logger, 'auth.api_token_created', {
      userId,
      ip: client.ip,
      apiTokenId: apiToken.id,
      scopes,
      expiresAt: apiToken.expiresAt?.toISOString() ?? null,
    });
    return { token, apiToken };
  }

  list(userId: string): Promise<ApiToken[]> {
    return this.deps.db.apiToken.findMany({ where: { userId }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
  }

  /** Deletes the token: the next request with it is refused everywhere, its subscriptions end now. */
  async revoke(userId: string, id: string, client: ClientInfo): Promise<void> {
    const deleted = await this.deps.db.apiToken.deleteMany({ where: { id: uuidOrNone(id), userId } });
    if (deleted.count === 0) throw notFound('API token');
    await this.deps.revocations.revoke([id]);
    securityEvent(this.deps.logger, 'auth.api_token_revoked', { userId, ip: client.ip, apiTokenId: id });
  }

  /** Whether the token is gone (revoked; its user deleted). */
  async isRevoked(id: string): Promise<boolean> {
    return (await this.deps.db.apiToken.findUnique({ where: { id }, select: { id: true } })) === null;
  }

  /** The viewer behind a `fg_` secret, or null (unknown, revoked or expired). */
  async resolve(secret: string, ip: string | null = null): Promise<ApiTokenViewer | null> {
    const { db } = this.deps;
    const row = await db.apiToken.findUnique({ where: { tokenHash: sha256Hex(secret) } });
    const now = Date.now();
    if (!row || (row.expiresAt && row.expiresAt.getTime() <= now)) return null;
    const newAddress = ip !== null && row.lastUsedIp !== ip;
    if (newAddress || !row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      // Bookkeeping, not part of the answer: a failure here must not refuse the request. For a
      // new address the update is conditional, so of concurrent first requests from it one
      // alone reports it.
      const recorded = await db.apiToken
        .updateMany({
          where: { id: row.id, ...(newAddress && { OR: [{ lastUsedIp: null }, { NOT: { lastUsedIp: ip } }] }) },
          data: { lastUsedAt: new Date(now), ...(ip !== null ? { lastUsedIp: ip } : {}) },
        })
        .catch((err: unknown) => {
          this.deps.logger.warn({ err, apiTokenId: row.id }, 'could not record API token use');
          return null;
        });
      if (newAddress && recorded?.count === 1) {
        securityEvent(this.deps.logger, 'auth.api_token_used_from_new_ip', {
          userId: row.userId,
          ip,
          apiTokenId: row.id,
          previousIp: row.lastUsedIp,
        });
        await this.alertNewAddress(row, ip).catch((err: unknown) =>
          this.deps.logger.warn({ err, apiTokenId: row.id }, 'could not send the API token new-address alert'),
        );
      }
    }
    const horizon = now + NO_EXPIRY_HORIZON_MS;
    return {
      userId: row.userId,
      sessionId: row.id,
      apiTokenScopes: row.scopes,
      expiresAt: new Date(row.expiresAt ? Math.min(row.expiresAt.getTime(), horizon) : horizon),
    };
  }

  /**
   * The login alert (email) for a token used from an address new to the account: neither the
   * token's last address nor one any of the user's sessions signed in from, so a script's first
   * call from where its user signed in sends nothing. The token keeps only its last address: one
   * alternating between two machines the user never signed in from alerts on each switch.
   */
  private async alertNewAddress(row: ApiToken, ip: string): Promise<void> {
    if (!this.outbox) return;
    const { db } = this.deps;
    const [known] = await db.$queryRaw<Array<{ known: boolean }>>`
      SELECT EXISTS (SELECT 1 FROM sessions WHERE user_id = ${row.userId}::uuid AND ip_address = ${ip}::inet) AS known`;
    if (known?.known) return;
    const at = new Date();
    await this.outbox.record({
      kind: 'notify',
      jobId: `api-token-alert-${row.id}-${at.getTime()}`,
      job: apiTokenAlertEmail({ id: row.userId }, { tokenName: row.name, ipAddress: ip, at: at.toISOString() }),
    });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An id that is not a UUID matches no row (instead of a database error on the cast). */
function uuidOrNone(id: string): string {
  return UUID.test(id) ? id : '00000000-0000-0000-0000-000000000000';
}
