import { Redis } from 'ioredis';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import {
  LogoutAllDocument,
  LogoutDocument,
  MeDocument,
  RefreshTokenDocument,
  RevokeSessionDocument,
  SessionsDocument,
} from '../../schema/sdk/graphql.js';
import { FIREFOX_MAC, SAFARI_IPHONE, from, loginTokens, registerUser } from '../../test/auth.js';
import { errorCode, startTestApp, testConfig } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { sha256Hex } from './opaque.js';
import { TokenSigner } from './tokens.js';

const t = useTestApp({ env: { TRUST_PROXY: '1' } });

const me = (token: string) => t.gql(MeDocument, {}, { token });
const refresh = (refreshToken: string, ip = '203.0.113.1') => t.gql(RefreshTokenDocument, { refreshToken }, from(ip));

/** Moves a spent refresh token's first use 31 s into the past (beyond the tabs' grace window). */
async function pastGraceWindow(refreshToken: string): Promise<void> {
  await t.app.services.db.refreshToken.update({
    where: { tokenHash: sha256Hex(refreshToken) },
    data: { usedAt: new Date(Date.now() - 31_000) },
  });
}

describe('access tokens', () => {
  it('are EdDSA JWTs for 15 minutes with sub, sid, iat, exp, iss, aud and the JWKS key id', async () => {
    const { auth } = await registerUser(t);
    const header = decodeProtectedHeader(auth.accessToken);
    const claims = decodeJwt(auth.accessToken);
    const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as { keys: Array<{ kid: string }> };
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'JWT', kid: jwks.keys[0]!.kid });
    const session = await t.app.services.db.session.findFirstOrThrow({ where: { userId: auth.user.id } });
    expect(claims).toMatchObject({ sub: auth.user.id, sid: session.id, iss: 'foliograph', aud: 'foliograph-api' });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(30);
  });

  it('refuses alg=none, a foreign key, a wrong audience and an expired token', async () => {
    const { auth } = await registerUser(t);
    const claims = decodeJwt(auth.accessToken);
    const header = decodeProtectedHeader(auth.accessToken);
    expect((await me(auth.accessToken)).data?.me?.id).toBe(auth.user.id);

    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    // Refused whole (401, reason in the error), never answered as anonymous.
    const refusedAs = async (token: string) => {
      const result = await me(token);
      expect(result.status).toBe(401);
      expect(result.data).toBeUndefined();
      return result.errors?.[0]?.extensions?.reason;
    };
    expect(await refusedAs(unsigned)).toBe('TOKEN_INVALID');

    const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', kid: header.kid }).sign(foreign.privateKey);
    expect(await refusedAs(forged)).toBe('TOKEN_INVALID');

    // The right key, but minted for another audience (the same key file, another config).
    const otherAudience = await TokenSigner.create(testConfig(t.database.url, t.config.REDIS_PREFIX, { JWT_AUDIENCE: 'someone-else' }));
    expect(await refusedAs(await otherAudience.sign(auth.user.id, claims.sid as string))).toBe('TOKEN_INVALID');

    const expired = await t.app.services.tokens.sign(auth.user.id, claims.sid as string, new Date(Date.now() - 16 * 60_000));
    expect(await refusedAs(expired)).toBe('TOKEN_EXPIRED');
    const sessions = await t.gql(SessionsDocument, {}, { token: expired });
    expect(errorCode(sessions)).toBe('UNAUTHENTICATED');
  });
});

describe('sessions tied to sub', () => {
  it("refuses a token whose sid is another user's live session, whether Redis remembers that session or not", async () => {
    const alice = await registerUser(t);
    const bob = await registerUser(t);
    const bobSession = await t.app.services.db.session.findFirstOrThrow({ where: { userId: bob.auth.user.id } });
    // A validly signed token naming Alice but carrying Bob's live session id.
    const forged = await t.app.services.tokens.sign(alice.auth.user.id, bobSession.id);
    // Not signed in as anyone (refused, or anonymous), whatever the transport answers.
    const signedInAs = async (token: string) => (await me(token)).data?.me?.id ?? null;
    expect(await signedInAs(forged)).toBeNull();
    expect(errorCode(await t.gql(SessionsDocument, {}, { token: forged }))).toBe('UNAUTHENTICATED');
    await t.app.services.redis.del(t.app.services.revocations.key(bobSession.id));
    expect(await signedInAs(forged)).toBeNull();
    // Bob's own token still works (his session was not revoked by the attempt), and Alice's too.
    expect(await signedInAs(bob.auth.accessToken)).toBe(bob.auth.user.id);
    expect(await signedInAs(forged)).toBeNull();
    expect((await me(alice.auth.accessToken)).data?.me?.id).toBe(alice.auth.user.id);
  });
});

describe('refresh tokens', () => {
  it('rotate on every use and slide the session forward', async () => {
    const { auth } = await registerUser(t);
    const session = await t.app.services.db.session.findFirstOrThrow({ where: { userId: auth.user.id } });
    await t.app.services.db.session.update({ where: { id: session.id }, data: { lastUsedAt: new Date(Date.now() - 3_600_000) } });

    const first = await refresh(auth.refreshToken);
    expect(first.errors).toBeUndefined();
    const rotated = first.data!.refreshToken;
    expect(rotated.refreshToken).not.toBe(auth.refreshToken);
    expect(rotated.expiresIn).toBe(900);
    expect(decodeJwt(rotated.accessToken).sid).toBe(session.id);
    expect((await me(rotated.accessToken)).data?.me?.id).toBe(auth.user.id);

    const after = await t.app.services.db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(after.lastUsedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(after.expiresAt.getTime()).toBeGreaterThan(session.expiresAt.getTime());
    expect(after.expiresAt.getTime()).toBeGreaterThan(Date.now() + 7 * 86_400_000 - 60_000);

    const second = await refresh(rotated.refreshToken);
    expect(second.errors).toBeUndefined();
  });

  it('presented again after use: TOKEN_REUSED, the whole family is revoked and a security event is logged', async () => {
    const { auth } = await registerUser(t);
    const { sid } = decodeJwt(auth.accessToken);
    const next = (await refresh(auth.refreshToken)).data!.refreshToken;
    await pastGraceWindow(auth.refreshToken);
    const warn = vi.spyOn(t.app.services.logger, 'warn');
    try {
      const replay = await refresh(auth.refreshToken, '192.0.2.66');
      expect(errorCode(replay)).toBe('TOKEN_REUSED');
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ event: 'auth.refresh_token_reused', userId: auth.user.id, sessionId: sid, ip: '192.0.2.66' }),
        expect.any(String),
      );
      // No secret in the security log.
      expect(JSON.stringify(warn.mock.calls)).not.toContain(auth.refreshToken);
    } finally {
      warn.mockRestore();
    }
    // The token it was rotated to is dead too, and so are the family's access tokens, at once.
    expect(errorCode(await refresh(next.refreshToken))).toBe('UNAUTHENTICATED');
    expect(errorCode(await me(next.accessToken))).toBe('UNAUTHENTICATED');
    expect((await me(auth.accessToken)).errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_REVOKED' });
    const session = await t.app.services.db.session.findUniqueOrThrow({ where: { id: sid as string } });
    expect(session.revokedReason).toBe('refresh_token_reused');
  });

  it('used by three tabs at the same moment: one rotation, and all three get the same working pair', async () => {
    const { auth } = await registerUser(t);
    const results = await Promise.all([refresh(auth.refreshToken), refresh(auth.refreshToken), refresh(auth.refreshToken)]);
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
    const successors = new Set(results.map((r) => r.data!.refreshToken.refreshToken));
    expect(successors.size).toBe(1);
    const sessionId = decodeJwt(auth.accessToken).sid as string;
    expect(await t.app.services.db.refreshToken.count({ where: { sessionId } })).toBe(2);
    for (const r of results) {
      expect(decodeJwt(r.data!.refreshToken.accessToken).sid).toBe(sessionId);
      expect((await me(r.data!.refreshToken.accessToken)).data?.me?.id).toBe(auth.user.id);
    }
    // The session lives on: the shared successor rotates as usual.
    expect((await refresh([...successors][0]!)).errors).toBeUndefined();
  });

  it('a tab that refreshes a little later, within 30 s, gets the pair the first one got; after 30 s it is reuse', async () => {
    const { auth } = await registerUser(t);
    const first = (await refresh(auth.refreshToken)).data!.refreshToken;
    const second = await refresh(auth.refreshToken);
    expect(second.errors).toBeUndefined();
    expect(second.data!.refreshToken.refreshToken).toBe(first.refreshToken);
    await pastGraceWindow(auth.refreshToken);
    expect(errorCode(await refresh(auth.refreshToken))).toBe('TOKEN_REUSED');
    expect(errorCode(await refresh(first.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it('refuses an unknown token and an expired one', async () => {
    expect(errorCode(await refresh('no-such-token'))).toBe('UNAUTHENTICATED');
    const { auth } = await registerUser(t);
    await t.app.services.db.refreshToken.updateMany({
      where: { session: { userId: auth.user.id } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(errorCode(await refresh(auth.refreshToken))).toBe('UNAUTHENTICATED');
  });
});

describe('sessions', () => {
  it('lists live sessions with device, IP and which one is current', async () => {
    const { email, password, auth } = await registerUser(t, { ip: '203.0.113.10' });
    const phone = await loginTokens(t, email, password, '198.51.100.20', SAFARI_IPHONE);
    const list = await t.gql(SessionsDocument, {}, { token: phone.accessToken });
    expect(list.errors).toBeUndefined();
    const sessions = list.data!.sessions;
    expect(sessions).toHaveLength(2);
    const current = sessions.filter((s) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({
      id: decodeJwt(phone.accessToken).sid,
      device: 'Mobile Safari on iOS',
      ipAddress: '198.51.100.20',
      userAgent: SAFARI_IPHONE,
    });
    expect(sessions.find((s) => !s.current)).toMatchObject({
      id: decodeJwt(auth.accessToken).sid,
      device: 'Firefox on macOS',
      ipAddress: '203.0.113.10',
      userAgent: FIREFOX_MAC,
    });
    for (const s of sessions) {
      expect(new Date(s.expiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
      expect(s.lastUsedAt).not.toBeNull();
    }
    expect(errorCode(await t.gql(SessionsDocument))).toBe('UNAUTHENTICATED');
  });

  it('a malformed forwarded address is recorded as unknown rather than failing the sign-in', async () => {
    const { email, password } = await registerUser(t);
    const tokens = await loginTokens(t, email, password, 'not-an-ip');
    const list = (await t.gql(SessionsDocument, {}, { token: tokens.accessToken })).data!.sessions;
    expect(list.find((s) => s.current)?.ipAddress).toBeNull();
  });

  it('revokeSession ends another of my sessions at once; anyone else gets NOT_FOUND', async () => {
    const { email, password, auth: laptop } = await registerUser(t);
    const phone = await loginTokens(t, email, password);
    const stranger = await registerUser(t);
    const phoneSession = decodeJwt(phone.accessToken).sid as string;

    expect(errorCode(await t.gql(RevokeSessionDocument, { id: phoneSession }, { token: stranger.auth.accessToken }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(RevokeSessionDocument, { id: 'not-a-uuid' }, { token: laptop.accessToken }))).toBe('NOT_FOUND');
    expect((await me(phone.accessToken)).data?.me?.id).toBe(laptop.user.id);

    const revoked = await t.gql(RevokeSessionDocument, { id: phoneSession }, { token: laptop.accessToken });
    expect(revoked.data).toEqual({ revokeSession: true });
    expect((await me(phone.accessToken)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(errorCode(await refresh(phone.refreshToken))).toBe('UNAUTHENTICATED');
    expect((await me(laptop.accessToken)).data?.me?.id).toBe(laptop.user.id);
    // Already ended: no longer one of my sessions.
    expect(errorCode(await t.gql(RevokeSessionDocument, { id: phoneSession }, { token: laptop.accessToken }))).toBe('NOT_FOUND');
  });

  it('logout ends the current session at once and announces it on the revocation channel', async () => {
    const { auth } = await registerUser(t);
    const sessionId = decodeJwt(auth.accessToken).sid as string;
    const subscriber = new Redis(t.config.REDIS_URL);
    const announced: string[][] = [];
    await subscriber.subscribe(t.app.services.revocations.channel);
    subscriber.on('message', (_channel, message: string) => announced.push(JSON.parse(message) as string[]));
    try {
      const out = await t.gql(LogoutDocument, {}, { token: auth.accessToken });
      expect(out.data).toEqual({ logout: true });
      expect((await me(auth.accessToken)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(errorCode(await t.gql(SessionsDocument, {}, { token: auth.accessToken }))).toBe('UNAUTHENTICATED');
      expect(errorCode(await refresh(auth.refreshToken))).toBe('UNAUTHENTICATED');
      await vi.waitFor(() => expect(announced).toContainEqual([sessionId]));
    } finally {
      subscriber.disconnect();
    }
    expect(errorCode(await t.gql(LogoutDocument))).toBe('UNAUTHENTICATED');
  });

  it('logout with a refresh token ends that session without an access token', async () => {
    const { auth } = await registerUser(t);
    expect((await t.gql(LogoutDocument, { refreshToken: auth.refreshToken })).data).toEqual({ logout: true });
    expect((await me(auth.accessToken)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(LogoutDocument, { refreshToken: 'unknown' }))).toBe('UNAUTHENTICATED');
  });

  it('logoutAll ends every session of the user and nobody else’s', async () => {
    const { email, password, auth: one } = await registerUser(t);
    const two = await loginTokens(t, email, password);
    const other = await registerUser(t);
    expect((await t.gql(LogoutAllDocument, {}, { token: two.accessToken })).data).toEqual({ logoutAll: true });
    expect((await me(one.accessToken)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await me(two.accessToken)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(errorCode(await refresh(one.refreshToken))).toBe('UNAUTHENTICATED');
    expect((await me(other.auth.accessToken)).data?.me?.id).toBe(other.auth.user.id);
  });

  it('a revocation made through one instance is honoured by another at once', async () => {
    const second = await startTestApp({ database: t.database, redisPrefix: t.config.REDIS_PREFIX });
    try {
      const { auth } = await registerUser(t);
      expect((await second.gql(MeDocument, {}, { token: auth.accessToken })).data?.me?.id).toBe(auth.user.id);
      await t.gql(LogoutDocument, {}, { token: auth.accessToken });
      expect((await second.gql(MeDocument, {}, { token: auth.accessToken })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await second.close();
    }
  });
});
