import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { createCipheriv, hkdfSync } from 'node:crypto';
import { MfaCrypto, matchTotp, newBackupCodes, normalizeBackupCode, otpauthUrl } from './totp.js';

/** RFC 4648 Base32 of raw bytes (the form secrets take in otpauth URLs and in our database). */
function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}

// RFC 6238 appendix B, SHA-1 column: the secret is the ASCII string "12345678901234567890".
const RFC_SECRET = base32(Buffer.from('12345678901234567890', 'ascii'));
const RFC_VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
];

describe('TOTP (RFC 6238, SHA-1, 30 s)', () => {
  it.each(RFC_VECTORS)('at t=%i the 8-digit code is %s (the RFC vector)', async (time, code) => {
    expect(await generate({ secret: RFC_SECRET, epoch: time, digits: 8, algorithm: 'sha1', period: 30 })).toBe(code);
  });

  it.each(RFC_VECTORS)('at t=%i our 6-digit check accepts the last 6 digits of %s', async (time, code) => {
    const sixDigits = code.slice(-6);
    expect(await matchTotp(RFC_SECRET, sixDigits, time)).toEqual({ timeStep: Math.floor(time / 30) });
    // One digit off is refused.
    const wrong = sixDigits.slice(0, 5) + String((Number(sixDigits[5]) + 1) % 10);
    expect(await matchTotp(RFC_SECRET, wrong, time)).toBeNull();
  });

  it('accepts one step of drift either way and no more', async () => {
    const now = 1111111111;
    const step = Math.floor(now / 30);
    const codeAt = (s: number) => generate({ secret: RFC_SECRET, epoch: s * 30 });
    expect(await matchTotp(RFC_SECRET, await codeAt(step - 1), now)).toEqual({ timeStep: step - 1 });
    expect(await matchTotp(RFC_SECRET, await codeAt(step + 1), now)).toEqual({ timeStep: step + 1 });
    expect(await matchTotp(RFC_SECRET, await codeAt(step - 2), now)).toBeNull();
    expect(await matchTotp(RFC_SECRET, await codeAt(step + 2), now)).toBeNull();
  });

  it('refuses anything but six digits', async () => {
    expect(await matchTotp(RFC_SECRET, '', 59)).toBeNull();
    expect(await matchTotp(RFC_SECRET, '94287082', 59)).toBeNull();
    expect(await matchTotp(RFC_SECRET, '28708a', 59)).toBeNull();
  });

  it('builds an otpauth URL for authenticator apps', () => {
    const url = new URL(otpauthUrl(RFC_SECRET, 'ann@example.com'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/foliograph:ann@example.com');
    expect(url.searchParams.get('secret')).toBe(RFC_SECRET);
    expect(url.searchParams.get('issuer')).toBe('foliograph');
  });
});

describe('MFA secrets at rest', () => {
  const crypto = new MfaCrypto('a-test-key-that-is-at-least-32-characters-long');
  const userId = '9c0a3f3e-7a4b-4c44-8f7e-2d7b1b7f0a11';

  const backupKey = crypto.newBackupKey();

  it('seals with AES-256-GCM and opens again', () => {
    const sealed = crypto.seal(RFC_SECRET, userId, backupKey);
    expect(sealed).toMatch(/^v2\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(RFC_SECRET);
    expect(crypto.seal(RFC_SECRET, userId, backupKey)).not.toBe(sealed); // a fresh IV each time
    expect(crypto.open(sealed, userId)).toEqual({ secret: RFC_SECRET, backupKey, current: true });
  });

  it('opens what a previous key sealed, including the v1 format, and says it needs re-sealing', () => {
    const oldKey = 'the-previous-key-that-is-at-least-32-characters';
    const old = new MfaCrypto(oldKey);
    const rotated = new MfaCrypto(['the-new-key-that-is-at-least-32-characters-long', oldKey]);
    const sealed = old.seal(RFC_SECRET, userId, backupKey);
    expect(rotated.open(sealed, userId)).toEqual({ secret: RFC_SECRET, backupKey, current: false });
    // v1 (before rotation existed): the secret alone; backup codes keyed from the master key.
    const iv = Buffer.alloc(12, 7);
    const cipher = createCipheriv(
      'aes-256-gcm',
      Buffer.from(hkdfSync('sha256', oldKey, 'foliograph-mfa', 'totp-secret-aes-256-gcm-v1', 32)),
      iv,
    );
    cipher.setAAD(Buffer.from(userId));
    const data = Buffer.concat([cipher.update(RFC_SECRET, 'utf8'), cipher.final()]);
    const v1 = ['v1', ...[iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'))].join('.');
    const opened = rotated.open(v1, userId);
    expect(opened).toMatchObject({ secret: RFC_SECRET, current: false });
    expect(opened.backupKey).toEqual(Buffer.from(hkdfSync('sha256', oldKey, 'foliograph-mfa', 'backup-code-hmac-v1', 32)));
  });

  it('refuses a sealed secret moved to another user, tampered with, or under another key', () => {
    const sealed = crypto.seal(RFC_SECRET, userId, backupKey);
    expect(() => crypto.open(sealed, '00000000-0000-4000-8000-000000000000')).toThrow();
    const [v, iv, tag, data] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(data, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => crypto.open([v, iv, tag, flipped.toString('base64url')].join('.'), userId)).toThrow();
    expect(() => new MfaCrypto('another-key-that-is-at-least-32-characters').open(sealed, userId)).toThrow();
  });
});

describe('backup codes', () => {
  it('makes ten distinct high-entropy codes', () => {
    const codes = newBackupCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
  });

  it('hashes them keyed and ignoring case, spaces and dashes', () => {
    const crypto = new MfaCrypto('a-test-key-that-is-at-least-32-characters-long');
    const key = crypto.newBackupKey();
    const hash = crypto.backupCodeHash('abcde-fghjk', key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(crypto.backupCodeHash(' ABCDE FGHJK ', key)).toBe(hash);
    expect(normalizeBackupCode('AbCdE-fGhJk')).toBe('abcdefghjk');
    expect(crypto.backupCodeHash('abcde-fghjk', crypto.newBackupKey())).not.toBe(hash);
  });
});
