/**
 * sharePortfolio is limited per user per hour (SHARES_PER_USER_PER_HOUR), across instances:
 * each call tells whether an address has an account, so probing many addresses is slow.
 */
import { describe, expect, it } from 'vitest';
import { SharePortfolioDocument } from '../../schema/sdk/graphql.js';
import { errorCode, startTestApp, type TestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { createPortfolio } from '../../test/portfolios.js';

const a = useTestApp({ env: { SHARES_PER_USER_PER_HOUR: '5' } });
const b = useTestApp(() => ({ database: a.database, redisPrefix: a.config.REDIS_PREFIX, env: { SHARES_PER_USER_PER_HOUR: '5' } }));

const share = (app: TestApp, user: TestUser, portfolioId: string, email: string) =>
  app.gql(SharePortfolioDocument, { portfolioId, email, permission: 'VIEW' }, { token: user.token });

describe('sharePortfolio limit', () => {
  it('counts every call, found or not, on every instance; then RATE_LIMITED with retryAfter, whatever the address', async () => {
    const owner = await createTestUser(a);
    const friends = [await createTestUser(a), await createTestUser(a)];
    const portfolio = await createPortfolio(a, owner);
    const codes: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const email = i % 2 === 0 ? `nobody-${i}@example.com` : friends[i === 1 ? 0 : 1]!.email;
      codes.push(errorCode(await share(i % 2 ? a : b, owner, portfolio.id, email)));
    }
    expect(codes).toEqual(['BAD_USER_INPUT', undefined, 'BAD_USER_INPUT', undefined, 'BAD_USER_INPUT']);

    const known = await share(a, owner, portfolio.id, friends[0]!.email);
    const unknown = await share(b, owner, portfolio.id, 'nobody-else@example.com');
    for (const refused of [known, unknown]) {
      expect(errorCode(refused)).toBe('RATE_LIMITED');
      const retryAfter = refused.errors?.[0]?.extensions?.retryAfter as number;
      expect(retryAfter).toBeGreaterThan(3500);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    }
    // The refusal is the same for both: it says nothing about the address.
    expect(unknown.errors?.[0]?.message).toBe(known.errors?.[0]?.message);

    // Another user's budget is their own.
    const other = await createTestUser(a);
    const theirs = await createPortfolio(a, other);
    expect(errorCode(await share(a, other, theirs.id, friends[1]!.email))).toBeUndefined();
  });

  it('invitePortfolio counts too, for every address, so at the limit it answers the same for registered and unknown ones', async () => {
    const owner = await createTestUser(a);
    const known = await createTestUser(a);
    const portfolio = await createPortfolio(a, owner);
    const invite = (app: TestApp, email: string) =>
      app.gql(
        `mutation($id: ID!, $email: String!) { invitePortfolio(portfolioId: $id, email: $email, permission: VIEW) }`,
        { id: portfolio.id, email },
        { token: owner.token },
      );
    for (let i = 0; i < 5; i++) expect(errorCode(await invite(i % 2 ? a : b, `unknown-${i}@example.com`))).toBeUndefined();
    const registered = await invite(a, known.email);
    const unknown = await invite(b, 'unknown-late@example.com');
    expect([errorCode(registered), errorCode(unknown)]).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(unknown.errors?.[0]?.message).toBe(registered.errors?.[0]?.message);
  });

  it('0 turns the limit off', async () => {
    const app = await startTestApp({ env: { SHARES_PER_USER_PER_HOUR: '0' } });
    try {
      const owner = await createTestUser(app);
      const portfolio = await createPortfolio(app, owner);
      for (let i = 0; i < 8; i++)
        expect(errorCode(await share(app, owner, portfolio.id, `nobody-${i}@example.com`))).toBe('BAD_USER_INPUT');
    } finally {
      await app.close();
    }
  });
});
