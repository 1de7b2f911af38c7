/**
 * Multi-device sync (contract, "Portfolio rules"): gap-free per-portfolio sequences under
 * concurrent writers; a device that disconnects and reconnects with its last sequence gets
 * exactly the changes it missed (made on another replica), in order, then live ones; losing
 * access ends the feed. Real graphql-ws clients against two app instances.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, type DocumentNode } from 'graphql';
import { SharePortfolioDocument, UnsharePortfolioDocument, UpdatePortfolioDocument } from '../../schema/sdk/graphql.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createPortfolio } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { disposeClients, listen, subscribe, wsClient, type LiveSubscription } from '../../test/ws.js';

type Change = {
  portfolioChanges: { sequence: number; action: string; portfolio: { id: string; name: string; changeSequence: number } | null };
};
const CHANGES = parse(`subscription Changes($id: ID!, $after: Int) {
  portfolioChanges(id: $id, after: $after) { sequence action portfolio { id name changeSequence } }
}`) as DocumentNode & { __apiType?: (v: { id: string; after?: number | null }) => Change };

let urlB: string;
const a = useTestApp();
const b = useTestApp(() => ({ database: a.database, redisPrefix: a.config.REDIS_PREFIX }));
beforeAll(async () => {
  urlB = await listen(b);
});
afterEach(async () => {
  await disposeClients();
});

const rename = (user: TestUser, id: string, name: string) => a.gql(UpdatePortfolioDocument, { id, input: { name } }, { token: user.token });

async function sequenceOf(user: TestUser, id: string): Promise<number> {
  const result = await a.gql<{ portfolio: { changeSequence: number } }>(
    `query($id: ID!) { portfolio(id: $id) { changeSequence } }`,
    { id },
    { token: user.token },
  );
  return result.data!.portfolio.changeSequence;
}

function follow(user: TestUser, id: string, after: number | null): LiveSubscription<Change> {
  return subscribe(wsClient(urlB, user.token), CHANGES as never, { id, after }) as LiveSubscription<Change>;
}

describe('portfolioChanges', () => {
  it('10 concurrent writers get sequences 1..n with no gap and no duplicate', async () => {
    const owner = await createTestUser(a);
    const portfolio = await createPortfolio(a, owner);
    expect(await sequenceOf(owner, portfolio.id)).toBe(1);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => rename(owner, portfolio.id, `Name ${i}`)));
    expect(results.map((r) => r.errors)).toEqual(Array(10).fill(undefined));
    const rows = await a.app.services.db.portfolioActivity.findMany({ where: { portfolioId: portfolio.id }, orderBy: { sequence: 'asc' } });
    expect(rows.map((r) => r.sequence)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(await sequenceOf(owner, portfolio.id)).toBe(11);
  });

  it('a device reconnecting with its last sequence gets exactly what it missed, in order, then live changes', async () => {
    const owner = await createTestUser(a);
    const portfolio = await createPortfolio(a, owner);
    const start = await sequenceOf(owner, portfolio.id);

    // The phone follows from the state of its last query.
    const phone = follow(owner, portfolio.id, start);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await rename(owner, portfolio.id, 'Seen live');
    const live = (await phone.data()).portfolioChanges;
    expect(live).toMatchObject({ sequence: start + 1, action: 'PORTFOLIO_UPDATED', portfolio: { name: 'Seen live' } });
    phone.unsubscribe();
    await disposeClients();

    // While it is away, the laptop (through the other replica) makes three changes.
    for (const name of ['Away 1', 'Away 2', 'Away 3']) expect((await rename(owner, portfolio.id, name)).errors).toBeUndefined();

    const back = follow(owner, portfolio.id, live.sequence);
    const missed = [(await back.data()).portfolioChanges, (await back.data()).portfolioChanges, (await back.data()).portfolioChanges];
    expect(missed.map((c) => c.sequence)).toEqual([start + 2, start + 3, start + 4]);
    expect(missed.every((c) => c.action === 'PORTFOLIO_UPDATED')).toBe(true);
    // Then live ones, with nothing repeated in between.
    await rename(owner, portfolio.id, 'Live again');
    expect((await back.data()).portfolioChanges.sequence).toBe(start + 5);
    expect(back.pending()).toEqual([]);
  });

  it('is for collaborators: losing access ends the feed', async () => {
    const owner = await createTestUser(a);
    const viewer = await createTestUser(a);
    const portfolio = await createPortfolio(a, owner);
    await a.gql(SharePortfolioDocument, { portfolioId: portfolio.id, email: viewer.email, permission: 'VIEW' }, { token: owner.token });
    const feed = follow(viewer, portfolio.id, 0);
    // The whole history first: created, shared.
    expect((await feed.data()).portfolioChanges).toMatchObject({ sequence: 1, action: 'PORTFOLIO_CREATED' });
    expect((await feed.data()).portfolioChanges).toMatchObject({ sequence: 2, action: 'PORTFOLIO_SHARED' });
    await a.gql(UnsharePortfolioDocument, { portfolioId: portfolio.id, userId: viewer.id }, { token: owner.token });
    // (The unshare is itself a change the viewer may or may not see before the end.)
    let ended = await feed.next();
    if (ended.type === 'next') ended = await feed.next();
    expect(ended).toMatchObject({ type: 'error', error: [{ extensions: { code: 'NOT_FOUND' } }] });

    // A stranger cannot follow it at all.
    const stranger = await createTestUser(a);
    const refused = await follow(stranger, portfolio.id, 0).next();
    const errors = refused.type === 'next' ? refused.result.errors : refused.type === 'error' ? refused.error : null;
    expect(errors).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
  });
});
