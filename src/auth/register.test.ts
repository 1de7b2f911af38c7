import { describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument, RegisterDocument } from '../../schema/sdk/graphql.js';
import { GOOD_PASSWORD, from, loginTokens, registerUser, uniqueEmail } from '../../test/auth.js';
import { errorCode, startTestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { DEMO_EMAIL, DEMO_PASSWORD, seedDemo } from '../seed.js';
import { PASSWORD_HASH_OPTIONS } from './passwords.js';

const t = useTestApp({ env: { TRUST_PROXY: '1' } });

const register = (input: { email: string; password: string; name: string }) => t.gql(RegisterDocument, { input }, from('198.51.100.7'));

describe('register', () => {
  it('creates an account, signs it in and stores only an argon2id hash', async () => {
    const email = uniqueEmail('new');
    const result = await register({ email: `  ${email.toUpperCase()} `, password: GOOD_PASSWORD, name: '  Ann Example ' });
    expect(result.errors).toBeUndefined();
    const payload = result.data!.register;
    expect(payload).toMatchObject({ expiresIn: 900, user: { email, name: 'Ann Example', emailVerified: false, mfaEnabled: false } });
    expect(payload.accessToken.split('.')).toHaveLength(3);
    expect(payload.refreshToken).toMatch(/^[\w-]{43}$/);

    const row = await t.app.services.db.user.findUniqueOrThrow({ where: { email } });
    expect(row.passwordHash).toMatch(
      new RegExp(`^\\$argon2id\\$v=19\\$m=${PASSWORD_HASH_OPTIONS.memoryCost},t=${PASSWORD_HASH_OPTIONS.timeCost},p=1\\$`),
    );
    expect(row.passwordHash).not.toContain(GOOD_PASSWORD);
    // The refresh token is stored only as its SHA-256.
    const tokens = await t.app.services.db.refreshToken.findMany({ where: { session: { userId: row.id } } });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens[0]!.tokenHash).not.toBe(payload.refreshToken);

    const me = await t.gql(MeDocument, {}, { token: payload.accessToken });
    expect(me.data?.me).toMatchObject({ id: row.id, email, name: 'Ann Example' });
  });

  it('explains a short password', async () => {
    const result = await register({ email: uniqueEmail(), password: 'short-pw', name: 'A' });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.details).toEqual([{ field: 'password', message: 'must be at least 10 characters' }]);
  });

  it('refuses a very long password', async () => {
    const result = await register({ email: uniqueEmail(), password: 'p'.repeat(257), name: 'A' });
    expect(result.errors?.[0]?.extensions?.details).toEqual([{ field: 'password', message: 'must be at most 256 characters' }]);
  });

  it('refuses a common password', async () => {
    const result = await register({ email: uniqueEmail(), password: 'qwertyuiop', name: 'A' });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.details).toEqual([
      { field: 'password', message: 'is too common; choose a password that is hard to guess' },
    ]);
  });

  it('reports every bad field at once', async () => {
    const result = await register({ email: 'not-an-email', password: 'short', name: '   ' });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.details).toEqual([
      { field: 'email', message: 'must be a valid email address' },
      { field: 'name', message: 'must not be empty' },
      { field: 'password', message: 'must be at least 10 characters' },
    ]);
  });

  it('answers CONFLICT for an email that already has an account, whatever its case', async () => {
    const { email } = await registerUser(t);
    const again = await register({ email: email.toUpperCase(), password: 'another-Good-password-7', name: 'B' });
    expect(errorCode(again)).toBe('CONFLICT');
    expect(await t.app.services.db.user.count({ where: { email } })).toBe(1);
  });

  it('lets the new account sign in with its password', async () => {
    const { email, auth } = await registerUser(t);
    const tokens = await loginTokens(t, email, GOOD_PASSWORD);
    expect(tokens.user.id).toBe(auth.user.id);
    expect(tokens.user.lastLoginAt).not.toBeNull();
  });
});

describe('me', () => {
  it('is null for anonymous callers and for a garbage token', async () => {
    expect((await t.gql(MeDocument)).data).toEqual({ me: null });
    expect((await t.gql(MeDocument, {}, { token: 'not-a-jwt' })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('the demo account', () => {
  it('seeded by src/seed.ts can sign in', async () => {
    const demo = await startTestApp();
    try {
      expect(await seedDemo(demo.app.services.db)).toBe(true);
      const result = await demo.gql(LoginDocument, { input: { email: DEMO_EMAIL, password: DEMO_PASSWORD } });
      expect(result.errors).toBeUndefined();
      expect(result.data?.login).toMatchObject({ __typename: 'AuthPayload', user: { email: DEMO_EMAIL, emailVerified: true } });
    } finally {
      await demo.close();
    }
  });
});
