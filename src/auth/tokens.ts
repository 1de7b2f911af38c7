/**
 * Access tokens: short-lived JWTs signed with EdDSA (Ed25519) through `jose`. Verification pins
 * the algorithm, issuer and audience, so alg=none and foreign keys are refused.
 * Outside production a key pair is generated on first start and kept in a git-ignored file.
 *
 * Key rotation: every token names its key (`kid`, the JWK thumbprint). The keys in
 * JWT_PREVIOUS_KEYS still verify the tokens they signed and are published in the JWKS, so during a
 * rolling restart onto a new JWT_PRIVATE_KEY the replicas accept each other's tokens, and nobody
 * is signed out; drop the old key once its last tokens expired (15 minutes after the rollout).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import {
  SignJWT,
  calculateJwkThumbprint,
  decodeProtectedHeader,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  jwtVerify,
  errors as joseErrors,
  type JWK,
  type CryptoKey,
} from 'jose';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config.js';
import { PROJECT_ROOT } from '../platform/paths.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const ALGORITHM = 'EdDSA';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  expiresAt: Date;
}

/** Verified tokens remembered at once (each for at most its own lifetime). */
const VERIFIED_CACHE_SIZE = 10_000;

export class TokenSigner {
  /**
   * Tokens this process has verified, with their claims, until they expire. A client sends the
   * same token with every request for its 15 minutes; an EdDSA verification (WebCrypto) of it
   * each time was ~5 % of the read path's CPU in the profile. Only a valid signature is
   * remembered, and an entry is refused from the second its `exp` passes, as jose would refuse the
   * token. Revocation is not cached here: every request still asks SessionRevocations.
   */
  private readonly verified = new LRUCache<string, AccessClaims>({ max: VERIFIED_CACHE_SIZE });

  private constructor(
    private readonly privateKey: CryptoKey | KeyObject,
    /** The signing key's public half first, then the previous keys', by kid. */
    private readonly verifiers: ReadonlyMap<string, VerificationKey>,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  static async create(config: Config): Promise<TokenSigner> {
    const pem = unescapeNewlines(config.JWT_PRIVATE_KEY ?? (await developmentKey(config)));
    const privateKey = await importPKCS8(pem, ALGORITHM, { extractable: true });
    const verifiers = new Map<string, VerificationKey>();
    for (const key of [pem, ...pemBlocks(unescapeNewlines(config.JWT_PREVIOUS_KEYS ?? ''))]) {
      const verifier = await verificationKey(key);
      if (!verifiers.has(verifier.jwk.kid as string)) verifiers.set(verifier.jwk.kid as string, verifier);
    }
    return new TokenSigner(privateKey, verifiers, config.JWT_ISSUER, config.JWT_AUDIENCE);
  }

  get publicJwk(): JWK {
    return this.verifiers.values().next().value!.jwk;
  }

  get kid(): string {
    return this.publicJwk.kid as string;
  }

  async sign(userId: string, sessionId: string, now = new Date()): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: ALGORITHM, kid: this.kid, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ACCESS_TOKEN_TTL_SECONDS)
      .sign(this.privateKey);
  }

  /** Returns the claims of a valid token, or null for anything else (expired, forged, malformed). */
  async verify(token: string): Promise<AccessClaims | null> {
    const checked = await this.check(token);
    return 'claims' in checked ? checked.claims : null;
  }

  /** The claims of a valid token, or why it is refused: expired (a refresh helps) or invalid (it never will). */
  async check(token: string): Promise<{ claims: AccessClaims } | { failure: 'expired' | 'invalid' }> {
    const known = this.verified.get(token);
    if (known) {
      // jose's rule: expired once the current second reaches `exp`.
      if (Math.floor(Date.now() / 1000) < known.expiresAt.getTime() / 1000) return { claims: { ...known } };
      this.verified.delete(token);
      return { failure: 'expired' };
    }
    try {
      // The key the token names; a token without a kid (none are issued) is tried with the signing key.
      const kid = decodeProtectedHeader(token).kid ?? this.kid;
      const key = this.verifiers.get(kid);
      if (!key) return { failure: 'invalid' };
      const { payload } = await jwtVerify(token, key.publicKey, {
        algorithms: [key.jwk.alg as string],
        issuer: this.issuer,
        audience: this.audience,
        requiredClaims: ['sub', 'sid', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') {
        return { failure: 'invalid' };
      }
      const claims = { userId: payload.sub, sessionId: payload.sid, expiresAt: new Date(payload.exp * 1000) };
      this.verified.set(token, claims);
      return { claims: { ...claims } };
    } catch (error) {
      // jose checks the signature before the times: an expired token here was genuinely ours.
      return { failure: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
    }
  }

  /** The signing key and every previous key still accepted. */
  jwks(): { keys: JWK[] } {
    return { keys: [...this.verifiers.values()].map((v) => v.jwk) };
  }
}

interface VerificationKey {
  publicKey: KeyObject;
  jwk: JWK;
}

/** Operators often pass a PEM on one line with `\n` escapes. */
function unescapeNewlines(pem: string): string {
  return pem.replace(/\\n/g, '\n');
}

/** The PEM blocks (private or public keys) of a concatenation. */
function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
}

/** JWS algorithm for a key: Ed25519 (what this server signs with), or RSA/P-256 from an earlier setup. */
function algorithmOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`JWT_PREVIOUS_KEYS: unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

async function verificationKey(pem: string): Promise<VerificationKey> {
  // createPublicKey takes a private or a public PEM and gives the public half.
  const publicKey = createPublicKey(pem);
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { publicKey, jwk: { ...jwk, kid, alg: algorithmOf(publicKey), use: 'sig' } };
}

/** Reads the development key file, creating it (mode 0600) on first start. */
async function developmentKey(config: Config): Promise<string> {
  const file = isAbsolute(config.JWT_KEY_FILE) ? config.JWT_KEY_FILE : join(PROJECT_ROOT, config.JWT_KEY_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const { privateKey } = await generateKeyPair(ALGORITHM, { crv: 'Ed25519', extractable: true });
  const pem = await exportPKCS8(privateKey);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs, so both sign with the same key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8');
    throw error;
  }
  return pem;
}
