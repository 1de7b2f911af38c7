/**
 * MFA primitives: TOTP per RFC 6238 (SHA-1, 6 digits, 30 s steps, ±1 step of clock drift) via
 * otplib, TOTP secrets sealed at rest with AES-256-GCM, and backup codes.
 *
 * Keys: the sealing key is derived with HKDF-SHA-256 from config.MFA_ENCRYPTION_KEY (and from each
 * of MFA_PREVIOUS_KEYS, which still open what they sealed); each user's backup codes are keyed by
 * a random key sealed together with their TOTP secret, so rotating the master key re-seals it
 * and the stored hashes stay valid.
 *
 * Backup codes are 10 random characters from a 32-letter alphabet (50 bits) and are stored as
 * HMAC-SHA-256 under the server key. A slow hash (argon2) would buy nothing here: the codes are
 * random rather than chosen by a person, online guessing is stopped by the rate limits, and a
 * stolen database alone cannot be searched offline without the key, which lives outside it. A
 * deterministic keyed hash also lets a code be found and spent with one indexed, conditional
 * UPDATE instead of ten argon2 checks per attempt.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const MFA_ISSUER = 'foliograph';
export const BACKUP_CODE_COUNT = 10;

/** No 0/O or 1/I/L: the codes are read off paper and typed by hand. */
const BACKUP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const BACKUP_CODE_LENGTH = 10;

export interface TotpMatch {
  /** RFC 6238's T: floor(unix seconds / 30) of the step the code belongs to. */
  timeStep: number;
}

/** A sealed TOTP secret opened, with the key its backup codes are hashed under. */
export interface OpenedMfaSecret {
  secret: string;
  backupKey: Buffer;
  /** Sealed under the current key in the current format (else `npm run keys:reseal` re-seals it). */
  current: boolean;
}

interface DerivedKeys {
  sealKey: Buffer;
  backupKey: Buffer;
}

export class MfaCrypto {
  /** The current key's derived keys first, then those of MFA_PREVIOUS_KEYS. */
  private readonly keys: DerivedKeys[];

  constructor(masterKeys: string | readonly string[]) {
    const derive = (masterKey: string, label: string) => Buffer.from(hkdfSync('sha256', masterKey, 'foliograph-mfa', label, 32));
    this.keys = (typeof masterKeys === 'string' ? [masterKeys] : masterKeys).map((masterKey) => ({
      sealKey: derive(masterKey, 'totp-secret-aes-256-gcm-v1'),
      backupKey: derive(masterKey, 'backup-code-hmac-v1'),
    }));
    if (this.keys.length === 0) throw new Error('MfaCrypto needs a key');
  }

  /** A new key for one user's backup codes; it is sealed with their TOTP secret. */
  newBackupKey(): Buffer {
    return randomBytes(32);
  }

  /**
   * Seals a TOTP secret with the key of its backup codes under the current key; `userId` is bound
   * in as associated data, so a sealed secret cannot be copied onto another account.
   * Format: v2.<iv>.<tag>.<ciphertext>, base64url. The backup-code key travels inside, so a key
   * rotation re-seals it with the secret and the stored code hashes stay valid.
   * (v1, from before rotation existed, sealed the secret alone; its backup codes were hashed
   * under a key derived from the master key that sealed it.)
   */
  seal(secret: string, userId: string, backupKey: Buffer): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.sealKey, iv);
    cipher.setAAD(Buffer.from(userId));
    const plaintext = JSON.stringify({ s: secret, b: backupKey.toString('base64url') });
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v2', iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** Opens a secret sealed under the current key or one of the previous ones. */
  open(sealed: string, userId: string): OpenedMfaSecret {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if ((version !== 'v1' && version !== 'v2') || !iv || !tag || ciphertext === undefined)
      throw new Error('unrecognised sealed MFA secret');
    for (const [index, key] of this.keys.entries()) {
      let plaintext: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.sealKey, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(userId));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        continue; // another key's
      }
      if (version === 'v1') return { secret: plaintext, backupKey: key.backupKey, current: false };
      const { s, b } = JSON.parse(plaintext) as { s: string; b: string };
      return { secret: s, backupKey: Buffer.from(b, 'base64url'), current: index === 0 };
    }
    throw new Error('MFA secret sealed with a key that is neither MFA_ENCRYPTION_KEY nor in MFA_PREVIOUS_KEYS');
  }

  backupCodeHash(code: string, backupKey: Buffer): string {
    return createHmac('sha256', backupKey).update(normalizeBackupCode(code)).digest('hex');
  }

  private get current(): DerivedKeys {
    return this.keys[0]!;
  }
}

/** A new Base32 TOTP secret (160 random bits, as RFC 4226 recommends). */
export function newTotpSecret(): string {
  return generateSecret();
}

export function otpauthUrl(secret: string, email: string): string {
  return generateURI({ issuer: MFA_ISSUER, label: email, secret, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

export function looksLikeTotp(code: string): boolean {
  return /^\d{6}$/.test(code.replace(/\s/g, ''));
}

/** The step a 6-digit code belongs to, if it is valid at `epochSeconds` give or take one step. */
export async function matchTotp(secret: string, code: string, epochSeconds = Math.floor(Date.now() / 1000)): Promise<TotpMatch | null> {
  const token = code.replace(/\s/g, '');
  if (!looksLikeTotp(token)) return null;
  const result = await verify({
    secret,
    token,
    epoch: epochSeconds,
    epochTolerance: TOTP_PERIOD_SECONDS,
    period: TOTP_PERIOD_SECONDS,
    digits: TOTP_DIGITS,
    algorithm: 'sha1',
  });
  // otplib types TOTP and HOTP results as one union; only TOTP's carries timeStep.
  return result.valid && 'timeStep' in result ? { timeStep: result.timeStep } : null;
}

/** Ten fresh backup codes, formatted "xxxxx-xxxxx". */
export function newBackupCodes(): string[] {
  return Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const chars = Array.from({ length: BACKUP_CODE_LENGTH }, () => BACKUP_ALPHABET[randomInt(BACKUP_ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** Case, spaces and dashes do not matter when a backup code is typed back. */
export function normalizeBackupCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}
