/**
 * The refresh grace window (contract, "Auth rules"): two tabs of one browser that refresh at once
 * present the same refresh token; within 30 s of its first use the second gets the successor the
 * first one got, not a reuse alarm. The successor is kept in Redis (every replica sees it) for
 * those 30 s, sealed with a key derived from the presented token itself, so only a holder of
 * that token can read it and Redis never holds a usable refresh token in clear.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Redis } from '../platform/redis.js';

export const REFRESH_GRACE_SECONDS = 30;

function keyOf(presented: string): Buffer {
  return createHash('sha256').update(`refresh-grace:${presented}`).digest();
}

export class RefreshGrace {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private redisKey(presentedHash: string): string {
    return `${this.prefix}refresh-grace:${presentedHash}`;
  }

  /** Remembers `successor` as the answer to `presented` (whose SHA-256 is `presentedHash`) for the window. */
  async remember(presented: string, presentedHash: string, successor: string): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keyOf(presented), iv);
    const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
    const value = [iv, cipher.getAuthTag(), sealed].map((b) => b.toString('base64url')).join('.');
    await this.redis.set(this.redisKey(presentedHash), value, 'EX', REFRESH_GRACE_SECONDS);
  }

  /** The successor given for `presented` within the window, or null. */
  async successor(presented: string, presentedHash: string): Promise<string | null> {
    const value = await this.redis.get(this.redisKey(presentedHash));
    if (!value) return null;
    const [iv, tag, sealed] = value.split('.').map((part) => Buffer.from(part, 'base64url'));
    if (!iv || !tag || !sealed) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', keyOf(presented), iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
