/**
 * Helpers for tests that go through the real auth mutations (register, login, MFA), as a client
 * would. Tests of other domains that only need a signed-in user use test/users.ts instead.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { LoginDocument, RegisterDocument, type AuthTokensFragment } from '../schema/sdk/graphql.js';
import { lockoutKey } from '../src/auth/brute-force.js';
import { normalizeEmail } from '../src/auth/email-address.js';
import type { TestApp } from './harness.js';

export const GOOD_PASSWORD = 'amber-Tractor-58-violin';

export const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:120.0) Gecko/20100101 Firefox/120.0';
export const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

/** Request headers of a client at `ip` (apps built with TRUST_PROXY=1 take it from X-Forwarded-For). */
export function from(ip: string, userAgent = FIREFOX_MAC): { headers: Record<string, string> } {
  return { headers: { 'x-forwarded-for': ip, 'user-agent': userAgent } };
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(4).toString('hex')}@example.com`;
}

export interface RegisteredUser {
  email: string;
  password: string;
  auth: AuthTokensFragment;
}

export async function registerUser(t: TestApp, options: { email?: string; password?: string; ip?: string } = {}): Promise<RegisteredUser> {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? GOOD_PASSWORD;
  const result = await t.gql(RegisterDocument, { input: { email, password, name: 'Test Person' } }, from(options.ip ?? '203.0.113.1'));
  expect(result.errors).toBeUndefined();
  return { email, password, auth: result.data!.register };
}

/** Signs in with a password; fails the test unless it returns tokens. */
export async function loginTokens(
  t: TestApp,
  email: string,
  password: string,
  ip = '203.0.113.1',
  userAgent?: string,
): Promise<AuthTokensFragment> {
  const result = await t.gql(LoginDocument, { input: { email, password } }, from(ip, userAgent));
  expect(result.errors).toBeUndefined();
  const login = result.data!.login;
  if (login.__typename !== 'AuthPayload') throw new Error(`expected tokens, got ${login.__typename}`);
  return login;
}

/** The run of failed sign-ins and the lock recorded for an email address (null: none). */
export function lockoutOf(t: TestApp, email: string) {
  return t.app.services.db.signInLockout.findUnique({ where: { emailHash: lockoutKey(normalizeEmail(email)) } });
}
