/**
 * Opaque secrets handed to clients (refresh tokens, email link tokens, MFA challenges): 256 random
 * bits, stored only as their SHA-256. A fast hash is enough because the input is random, not
 * chosen by a person: nobody can guess a preimage, and lookup by hash stays an index hit.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
