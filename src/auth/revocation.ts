/**
 * Immediate session revocation across every API instance: revoked session ids live in Redis
 * for as long as an access token of theirs could still be valid, so checking a token costs one
 * EXISTS, not a database query. A message on the revocation channel lets every instance close
 * that session's open subscriptions at once.
 */
import type { Redis } from '../platform/redis.js';
import { ACCESS_TOKEN_TTL_SECONDS } from './tokens.js';

export class SessionRevocations {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  get channel(): string {
    return `${this.prefix}session-revoked`;
  }

  private key(sessionId: string): string {
    return `${this.prefix}revoked-session:${sessionId}`;
  }

  async revoke(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const pipeline = this.redis.multi();
    // A minute beyond the token lifetime covers clock skew between instances.
    for (const id of sessionIds) pipeline.set(this.key(id), '1', 'EX', ACCESS_TOKEN_TTL_SECONDS + 60);
    pipeline.publish(this.channel, JSON.stringify(sessionIds));
    await pipeline.exec();
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(sessionId))) === 1;
  }
}
