/**
 * A deleted user's access token is still a valid JWT until it expires; its session went with
 * the user (cascade). Writes confirm the session in PostgreSQL, so they answer UNAUTHENTICATED
 * (before: INTERNAL_SERVER_ERROR from a foreign key), and reads are refused from then on.
 */
import { describe, expect, it } from 'vitest';
import { CreatePortfolioDocument, MeDocument, PortfoliosDocument } from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio } from '../../test/portfolios.js';
import { createTestUser } from '../../test/users.js';

const t = useTestApp();

describe('a deleted user with a still-valid access token', () => {
  it('gets UNAUTHENTICATED on writes, even right after a read cached the session as live', async () => {
    const user = await createTestUser(t);
    await createPortfolio(t, user, { name: 'Before' });
    expect((await t.gql(PortfoliosDocument, {}, { token: user.token })).data?.portfolios.totalCount).toBe(1);

    await t.app.services.db.user.delete({ where: { id: user.id } });
    const write = await t.gql(CreatePortfolioDocument, { input: { name: 'After' } }, { token: user.token });
    expect(errorCode(write)).toBe('UNAUTHENTICATED');
    expect(write.errors).toHaveLength(1);
    // The write found the session gone and told Redis: reads refuse it too now.
    expect(errorCode(await t.gql(PortfoliosDocument, {}, { token: user.token }))).toBe('UNAUTHENTICATED');
    expect((await t.gql(MeDocument, {}, { token: user.token })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('is refused on reads too once Redis no longer vouches for the session (entry expired, Redis restarted)', async () => {
    const user = await createTestUser(t);
    await t.app.services.db.user.delete({ where: { id: user.id } });
    await t.app.services.redis.del(t.app.services.revocations.key(user.sessionId));
    expect(errorCode(await t.gql(PortfoliosDocument, {}, { token: user.token }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(CreatePortfolioDocument, { input: { name: 'After' } }, { token: user.token }))).toBe('UNAUTHENTICATED');
  });
});
