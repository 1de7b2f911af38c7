/**
 * Test accounts without going through the register/login mutations (for tests of other
 * domains): a real user row, a real session row and a real signed access token.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../src/auth/passwords.js';
import type { TestApp } from './harness.js';

export interface TestUser {
  id: string;
  email: string;
  name: string;
  password: string;
  sessionId: string;
  token: string;
}

let cachedHash: Promise<string> | undefined;
const DEFAULT_PASSWORD = 'test-password-123';

export async function createTestUser(t: TestApp, fields: { email?: string; name?: string } = {}): Promise<TestUser> {
  const db = t.app.services.db;
  const email = (fields.email ?? `user-${randomBytes(4).toString('hex')}@example.com`).toLowerCase();
  const name = fields.name ?? email.split('@')[0]!;
  cachedHash ??= hashPassword(DEFAULT_PASSWORD);
  const user = await db.user.create({ data: { email, name, passwordHash: await cachedHash, emailVerified: true } });
  const session = await db.session.create({
    data: { userId: user.id, userAgent: 'vitest', expiresAt: new Date(Date.now() + 7 * 86_400_000) },
  });
  // As a sign-in does: the new session is known live, so its first request asks no database.
  await t.app.services.revocations.markLive(session.id, user.id);
  const token = await t.app.services.tokens.sign(user.id, session.id);
  return { id: user.id, email, name, password: DEFAULT_PASSWORD, sessionId: session.id, token };
}
