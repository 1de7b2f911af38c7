import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import {
  DisableMfaDocument,
  LoginDocument,
  MeDocument,
  SetupMfaDocument,
  VerifyMfaDocument,
  VerifyMfaLoginDocument,
} from '../../schema/sdk/graphql.js';
import { GOOD_PASSWORD, from, lockoutOf, loginTokens, registerUser } from '../../test/auth.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { sha256Hex } from './opaque.js';

const t = useTestApp({ env: { TRUST_PROXY: '1' } });

/**
 * The current 30-second TOTP step, chosen with at least 8 s left in it (waiting for the next
 * one otherwise), so a test's codes keep their meaning while it runs.
 */
async function freshStep(): Promise<number> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 8_000) await new Promise((r) => setTimeout(r, left + 50));
  return Math.floor(Date.now() / 30_000);
}

const codeAt = (secret: string, step: number) => generate({ secret, epoch: step * 30 });

interface MfaUser {
  email: string;
  /** This user's own client address, so per-IP limits stay out of other tests' way. */
  ip: string;
  userId: string;
  token: string;
  secret: string;
  backupCodes: string[];
}

let users = 0;

/** A registered user with MFA on, enrolled with the code of step `step - 1`. */
async function mfaUser(step: number): Promise<MfaUser> {
  const { email, auth } = await registerUser(t);
  const setup = await t.gql(SetupMfaDocument, {}, { token: auth.accessToken });
  expect(setup.errors).toBeUndefined();
  const { secret } = setup.data!.setupMfa;
  const enabled = await t.gql(VerifyMfaDocument, { code: await codeAt(secret, step - 1) }, { token: auth.accessToken });
  expect(enabled.errors).toBeUndefined();
  return {
    email,
    ip: `203.0.113.${++users}`,
    userId: auth.user.id,
    token: auth.accessToken,
    secret,
    backupCodes: enabled.data!.verifyMfa.backupCodes,
  };
}

async function challenge(user: MfaUser): Promise<string> {
  const result = await t.gql(LoginDocument, { input: { email: user.email, password: GOOD_PASSWORD } }, from(user.ip));
  expect(result.errors).toBeUndefined();
  const login = result.data!.login;
  if (login.__typename !== 'MfaChallenge') throw new Error(`expected an MFA challenge, got ${login.__typename}`);
  return login.challengeToken;
}

const finish = (user: MfaUser, challengeToken: string, code: string, ip = user.ip) =>
  t.gql(VerifyMfaLoginDocument, { challengeToken, code }, from(ip));

describe('MFA enrolment', () => {
  it('setupMfa stores a sealed pending secret; verifyMfa turns MFA on with a valid code and returns 10 hashed backup codes', async () => {
    const step = await freshStep();
    const { email, auth } = await registerUser(t);
    expect(errorCode(await t.gql(SetupMfaDocument))).toBe('UNAUTHENTICATED');
    const setup = (await t.gql(SetupMfaDocument, {}, { token: auth.accessToken })).data!.setupMfa;
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(setup.otpauthUrl);
    expect(decodeURIComponent(url.pathname)).toBe(`/foliograph:${email}`);
    expect(url.searchParams.get('secret')).toBe(setup.secret);

    const db = t.app.services.db;
    const pending = await db.mfaCredential.findUniqueOrThrow({ where: { userId: auth.user.id } });
    expect(pending.enabledAt).toBeNull();
    expect(pending.secretEncrypted).not.toContain(setup.secret);
    // Pending is not on: a password sign-in still returns tokens.
    await loginTokens(t, email, GOOD_PASSWORD);

    const wrong = await t.gql(VerifyMfaDocument, { code: '000000' }, { token: auth.accessToken });
    expect(errorCode(wrong)).toBe('INVALID_MFA_CODE');
    const enabled = await t.gql(VerifyMfaDocument, { code: await codeAt(setup.secret, step) }, { token: auth.accessToken });
    expect(enabled.errors).toBeUndefined();
    const codes = enabled.data!.verifyMfa.backupCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);

    const stored = await db.mfaBackupCode.findMany({ where: { userId: auth.user.id } });
    expect(stored).toHaveLength(10);
    for (const row of stored) {
      expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
      expect(codes.some((c) => row.codeHash.includes(c.replace('-', '')))).toBe(false);
    }
    expect((await t.gql(MeDocument, {}, { token: auth.accessToken })).data?.me?.mfaEnabled).toBe(true);
    expect(errorCode(await t.gql(SetupMfaDocument, {}, { token: auth.accessToken }))).toBe('CONFLICT');
  });

  it('verifyMfa without setupMfa first is a CONFLICT', async () => {
    const { auth } = await registerUser(t);
    expect(errorCode(await t.gql(VerifyMfaDocument, { code: '123456' }, { token: auth.accessToken }))).toBe('CONFLICT');
  });
});

describe('MFA sign-in', () => {
  it('login returns a challenge and no tokens; verifyMfaLogin finishes it with a TOTP code', async () => {
    const step = await freshStep();
    const user = await mfaUser(step);
    const result = await t.gql(LoginDocument, { input: { email: user.email, password: GOOD_PASSWORD } }, from(user.ip));
    expect(result.data?.login).toEqual({ __typename: 'MfaChallenge', challengeToken: expect.any(String), expiresAt: expect.any(String) });
    expect(JSON.stringify(result.data)).not.toMatch(/accessToken|refreshToken/);
    const { challengeToken, expiresAt } = result.data!.login as { challengeToken: string; expiresAt: string };
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(new Date(expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    // Stored only hashed, as an MFA_LOGIN one-time token.
    const row = await t.app.services.db.oneTimeToken.findUniqueOrThrow({ where: { tokenHash: sha256Hex(challengeToken) } });
    expect(row).toMatchObject({ userId: user.userId, purpose: 'MFA_LOGIN', usedAt: null });

    const done = await finish(user, challengeToken, await codeAt(user.secret, step));
    expect(done.errors).toBeUndefined();
    expect(done.data!.verifyMfaLogin.user.id).toBe(user.userId);
    expect((await t.gql(MeDocument, {}, { token: done.data!.verifyMfaLogin.accessToken })).data?.me?.id).toBe(user.userId);
  });

  it('a TOTP code works once: the same code, or one of an earlier step, is refused', async () => {
    const step = await freshStep();
    const user = await mfaUser(step); // enrolled with the code of step - 1
    const now = await codeAt(user.secret, step);
    expect(errorCode(await finish(user, await challenge(user), await codeAt(user.secret, step - 1)))).toBe('INVALID_MFA_CODE');
    expect((await finish(user, await challenge(user), now)).errors).toBeUndefined();
    expect(errorCode(await finish(user, await challenge(user), now))).toBe('INVALID_MFA_CODE');
    // The next step's code (one step of clock drift ahead) is still fine, once.
    const next = await codeAt(user.secret, step + 1);
    expect((await finish(user, await challenge(user), next)).errors).toBeUndefined();
    expect(errorCode(await finish(user, await challenge(user), next))).toBe('INVALID_MFA_CODE');
    const credential = await t.app.services.db.mfaCredential.findUniqueOrThrow({ where: { userId: user.userId } });
    expect(credential.lastUsedStep).toBe(BigInt(step + 1));
  });

  it('a backup code works once', async () => {
    const user = await mfaUser(await freshStep());
    const [code] = user.backupCodes;
    expect((await finish(user, await challenge(user), code!.toUpperCase())).errors).toBeUndefined();
    expect(errorCode(await finish(user, await challenge(user), code!))).toBe('INVALID_MFA_CODE');
    expect(errorCode(await finish(user, await challenge(user), 'aaaaa-bbbbb'))).toBe('INVALID_MFA_CODE');
  });

  it('a challenge works once and expires', async () => {
    const step = await freshStep();
    const user = await mfaUser(step);
    const used = await challenge(user);
    expect((await finish(user, used, await codeAt(user.secret, step))).errors).toBeUndefined();
    expect(errorCode(await finish(user, used, user.backupCodes[0]!))).toBe('UNAUTHENTICATED');

    const stale = await challenge(user);
    await t.app.services.db.oneTimeToken.update({
      where: { tokenHash: sha256Hex(stale) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(errorCode(await finish(user, stale, user.backupCodes[1]!))).toBe('UNAUTHENTICATED');
    expect(errorCode(await finish(user, 'made-up-challenge', user.backupCodes[1]!))).toBe('UNAUTHENTICATED');
    // The refused attempts did not spend the backup code.
    expect((await finish(user, await challenge(user), user.backupCodes[1]!)).errors).toBeUndefined();
  });

  it('wrong codes: 5 per account in 15 minutes, then RATE_LIMITED even for a right code', async () => {
    const user = await mfaUser(await freshStep());
    const token = await challenge(user);
    for (let i = 0; i < 5; i++) {
      expect(errorCode(await finish(user, token, `00000${i}`, `10.9.0.${i}`))).toBe('INVALID_MFA_CODE');
    }
    const limited = await finish(user, token, user.backupCodes[0]!, '10.9.0.99');
    expect(errorCode(limited)).toBe('RATE_LIMITED');
    expect(limited.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(800);
    const { email } = await t.app.services.db.user.findUniqueOrThrow({ where: { id: user.userId } });
    expect((await lockoutOf(t, email))?.failedAttempts).toBe(5);
    // verifyMfa / disableMfa share the budget.
    expect(errorCode(await t.gql(DisableMfaDocument, { code: user.backupCodes[0]! }, { token: user.token, ...from('10.9.0.98') }))).toBe(
      'RATE_LIMITED',
    );
  });
});

describe('disableMfa', () => {
  it('needs a valid code, then turns MFA off and forgets the secret and backup codes', async () => {
    const user = await mfaUser(await freshStep());
    expect(errorCode(await t.gql(DisableMfaDocument, { code: '000000' }, { token: user.token }))).toBe('INVALID_MFA_CODE');
    expect(errorCode(await t.gql(DisableMfaDocument, { code: user.backupCodes[0]! }))).toBe('UNAUTHENTICATED');
    const off = await t.gql(DisableMfaDocument, { code: user.backupCodes[0]! }, { token: user.token });
    expect(off.data).toEqual({ disableMfa: true });
    const db = t.app.services.db;
    expect(await db.mfaCredential.findUnique({ where: { userId: user.userId } })).toBeNull();
    expect(await db.mfaBackupCode.count({ where: { userId: user.userId } })).toBe(0);
    expect((await t.gql(MeDocument, {}, { token: user.token })).data?.me?.mfaEnabled).toBe(false);
    await loginTokens(t, user.email, GOOD_PASSWORD);
    expect(errorCode(await t.gql(DisableMfaDocument, { code: user.backupCodes[1]! }, { token: user.token }))).toBe('CONFLICT');
  });

  it('accepts a current TOTP code', async () => {
    const step = await freshStep();
    const user = await mfaUser(step);
    const off = await t.gql(DisableMfaDocument, { code: await codeAt(user.secret, step) }, { token: user.token });
    expect(off.data).toEqual({ disableMfa: true });
  });
});
