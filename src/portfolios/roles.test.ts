/**
 * The role matrix: every actor (owner, ADMIN, EDIT, VIEW, public reader, stranger, anonymous)
 * against every portfolio read, sensitive field and mutation, on a fresh portfolio each time.
 * A mutation that succeeds writes exactly one activity row; a refused one writes none.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buyOfInvestment } from '../ledger/buys.js';
import {
  AddInvestmentDocument,
  DeletePortfolioDocument,
  ExportPortfolioDocument,
  PortfolioActivityDocument,
  PortfolioDocument,
  PortfolioSharesDocument,
  RemoveInvestmentDocument,
  SharePortfolioDocument,
  UnsharePortfolioDocument,
  UpdateInvestmentDocument,
  UpdatePortfolioDocument,
} from '../../schema/sdk/graphql.js';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { HOLDING, seedMarketAssets } from '../../test/portfolios.js';

const ACTORS = ['owner', 'admin', 'editor', 'viewer', 'public', 'stranger', 'anonymous'] as const;
type ActorName = (typeof ACTORS)[number];

/** 'ok', an error code, or what a read saw ('null': no portfolio; 'ip' / 'no ip': the trail's IP shown or hidden). */
type Outcome = string;

const t = useTestApp();
const users = {} as Record<'owner' | 'admin' | 'editor' | 'viewer' | 'reader' | 'otherAdmin' | 'bystander' | 'newcomer', TestUser>;
const FIXTURE_IP = '203.0.113.7';

beforeAll(async () => {
  await seedMarketAssets(t);
  for (const name of Object.keys({ owner: 0, admin: 0, editor: 0, viewer: 0, reader: 0, otherAdmin: 0, bystander: 0, newcomer: 0 })) {
    users[name as keyof typeof users] = await createTestUser(t);
  }
});

interface Fixture {
  portfolioId: string;
  investmentId: string;
}

/** A portfolio shared ADMIN/EDIT/VIEW with admin/editor/viewer (and otherAdmin, bystander), one investment, one activity row. */
async function fixture(isPublic: boolean): Promise<Fixture> {
  const portfolio = await t.app.services.db.portfolio.create({
    data: {
      ownerId: users.owner.id,
      name: 'Matrix',
      isPublic,
      shares: {
        create: [
          { userId: users.admin.id, permission: 'ADMIN' },
          { userId: users.editor.id, permission: 'EDIT' },
          { userId: users.viewer.id, permission: 'VIEW' },
          { userId: users.otherAdmin.id, permission: 'ADMIN' },
          { userId: users.bystander.id, permission: 'VIEW' },
        ],
      },
      transactions: { create: buyOfInvestment({ symbol: 'AAPL', quantity: '1', purchasePrice: '100', purchaseDate: '2024-01-02' }) },
      activities: { create: { userId: users.owner.id, action: 'PORTFOLIO_CREATED', ipAddress: FIXTURE_IP, userAgent: 'fixture' } },
    },
    include: { transactions: true },
  });
  return { portfolioId: portfolio.id, investmentId: portfolio.transactions[0]!.id };
}

/** Who plays the actor (anonymous plays with the reader's account but sends no token). */
function userOf(actor: ActorName): TestUser {
  return actor === 'public' || actor === 'stranger' || actor === 'anonymous' ? users.reader : users[actor];
}

function tokenOf(actor: ActorName): string | undefined {
  return actor === 'anonymous' ? undefined : userOf(actor).token;
}

type Result = { data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] };
const outcomeOf = (result: Result, read?: (data: never) => Outcome): Outcome =>
  result.errors?.length ? String(errorCode(result as never)) : read ? read(result.data as never) : 'ok';

interface Operation {
  name: string;
  mutation: boolean;
  run(fx: Fixture, token: string | undefined, actor: ActorName): Promise<Outcome>;
  expected: Record<ActorName, Outcome>;
}

const row = (...outcomes: Outcome[]) => Object.fromEntries(ACTORS.map((a, i) => [a, outcomes[i]!])) as Record<ActorName, Outcome>;

const OPERATIONS: Operation[] = [
  {
    name: 'portfolio(id)',
    mutation: false,
    run: async (fx, token) =>
      outcomeOf(await t.gql(PortfolioDocument, { id: fx.portfolioId }, { token }), (d: { portfolio: unknown }) =>
        d.portfolio ? 'ok' : 'null',
      ),
    expected: row('ok', 'ok', 'ok', 'ok', 'ok', 'null', 'UNAUTHENTICATED'),
  },
  {
    name: 'Portfolio.shares',
    mutation: false,
    run: async (fx, token) =>
      outcomeOf(
        await t.gql(PortfolioSharesDocument, { id: fx.portfolioId }, { token }),
        (d: { portfolio: { shares: unknown[] } | null }) =>
          d.portfolio ? (d.portfolio.shares.length === 5 ? 'ok' : 'wrong shares') : 'null',
      ),
    expected: row('ok', 'ok', 'ok', 'ok', 'FORBIDDEN', 'null', 'UNAUTHENTICATED'),
  },
  {
    name: 'Portfolio.activity',
    mutation: false,
    run: async (fx, token) =>
      outcomeOf(
        await t.gql(PortfolioActivityDocument, { id: fx.portfolioId }, { token }),
        (d: { portfolio: { activity: { totalCount: number } } | null }) =>
          d.portfolio ? (d.portfolio.activity.totalCount === 1 ? 'ok' : 'wrong activity') : 'null',
      ),
    expected: row('ok', 'ok', 'ok', 'ok', 'FORBIDDEN', 'null', 'UNAUTHENTICATED'),
  },
  {
    name: 'Activity.ipAddress and userAgent',
    mutation: false,
    run: async (fx, token) =>
      outcomeOf(
        await t.gql(PortfolioActivityDocument, { id: fx.portfolioId }, { token }),
        (d: {
          portfolio: { activity: { edges: { node: { ipAddress: string | null; userAgent: string | null; action: string } }[] } } | null;
        }) => {
          if (!d.portfolio) return 'null';
          const node = d.portfolio.activity.edges[0]!.node;
          if (node.ipAddress === FIXTURE_IP && node.userAgent === 'fixture') return 'ip';
          return node.ipAddress === null && node.userAgent === null && node.action === 'PORTFOLIO_CREATED' ? 'no ip' : 'inconsistent';
        },
      ),
    expected: row('ip', 'ip', 'no ip', 'no ip', 'FORBIDDEN', 'null', 'UNAUTHENTICATED'),
  },
  {
    name: 'exportPortfolio',
    mutation: false,
    run: async (fx, token) => outcomeOf(await t.gql(ExportPortfolioDocument, { id: fx.portfolioId, format: 'CSV' }, { token })),
    expected: row('ok', 'ok', 'ok', 'ok', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'updatePortfolio (name)',
    mutation: true,
    run: async (fx, token) =>
      outcomeOf(await t.gql(UpdatePortfolioDocument, { id: fx.portfolioId, input: { name: 'Renamed' } }, { token })),
    expected: row('ok', 'ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'updatePortfolio (isPublic)',
    mutation: true,
    run: async (fx, token) => {
      const current = await t.app.services.db.portfolio.findUniqueOrThrow({ where: { id: fx.portfolioId } });
      return outcomeOf(await t.gql(UpdatePortfolioDocument, { id: fx.portfolioId, input: { isPublic: !current.isPublic } }, { token }));
    },
    expected: row('ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'deletePortfolio',
    mutation: true,
    run: async (fx, token) => outcomeOf(await t.gql(DeletePortfolioDocument, { id: fx.portfolioId }, { token })),
    expected: row('ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'addInvestment',
    mutation: true,
    run: async (fx, token) => outcomeOf(await t.gql(AddInvestmentDocument, { portfolioId: fx.portfolioId, input: HOLDING }, { token })),
    expected: row('ok', 'ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'updateInvestment',
    mutation: true,
    run: async (fx, token) =>
      outcomeOf(await t.gql(UpdateInvestmentDocument, { id: fx.investmentId, input: { quantity: '2' } }, { token })),
    expected: row('ok', 'ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'removeInvestment',
    mutation: true,
    run: async (fx, token) => outcomeOf(await t.gql(RemoveInvestmentDocument, { id: fx.investmentId }, { token })),
    expected: row('ok', 'ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'sharePortfolio (EDIT)',
    mutation: true,
    run: async (fx, token) =>
      outcomeOf(
        await t.gql(SharePortfolioDocument, { portfolioId: fx.portfolioId, email: users.newcomer.email, permission: 'EDIT' }, { token }),
      ),
    expected: row('ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'sharePortfolio (ADMIN)',
    mutation: true,
    run: async (fx, token) =>
      outcomeOf(
        await t.gql(SharePortfolioDocument, { portfolioId: fx.portfolioId, email: users.newcomer.email, permission: 'ADMIN' }, { token }),
      ),
    expected: row('ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'sharePortfolio (an ADMIN down to VIEW)',
    mutation: true,
    run: async (fx, token) =>
      outcomeOf(
        await t.gql(SharePortfolioDocument, { portfolioId: fx.portfolioId, email: users.otherAdmin.email, permission: 'VIEW' }, { token }),
      ),
    expected: row('ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'unsharePortfolio (a VIEW share)',
    mutation: true,
    run: async (fx, token) =>
      outcomeOf(await t.gql(UnsharePortfolioDocument, { portfolioId: fx.portfolioId, userId: users.bystander.id }, { token })),
    expected: row('ok', 'ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'unsharePortfolio (yourself: leaving)',
    mutation: true,
    run: async (fx, token, actor) =>
      outcomeOf(await t.gql(UnsharePortfolioDocument, { portfolioId: fx.portfolioId, userId: userOf(actor).id }, { token })),
    // The owner has no share to leave; a public reader or stranger has none either.
    expected: row('NOT_FOUND', 'ok', 'ok', 'ok', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
  {
    name: 'unsharePortfolio (an ADMIN share)',
    mutation: true,
    run: async (fx, token) =>
      outcomeOf(await t.gql(UnsharePortfolioDocument, { portfolioId: fx.portfolioId, userId: users.otherAdmin.id }, { token })),
    expected: row('ok', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'),
  },
];

async function activityCount(portfolioId: string): Promise<number> {
  return t.app.services.db.portfolioActivity.count({ where: { portfolioId } });
}

describe.each(OPERATIONS)('$name', (operation) => {
  it.each(ACTORS)('as %s', async (actor) => {
    const fx = await fixture(actor === 'public');
    const before = await activityCount(fx.portfolioId);
    const outcome = await operation.run(fx, tokenOf(actor), actor);
    expect(outcome).toBe(operation.expected[actor]);

    const exists = (await t.app.services.db.portfolio.count({ where: { id: fx.portfolioId } })) === 1;
    if (operation.name === 'deletePortfolio' && outcome === 'ok') {
      expect(exists).toBe(false);
      return;
    }
    expect(exists).toBe(true);
    // One row per change; none for a read or a refused attempt.
    expect(await activityCount(fx.portfolioId)).toBe(before + (operation.mutation && outcome === 'ok' ? 1 : 0));
  });
});

describe('myRole', () => {
  it.each([
    ['owner', 'OWNER'],
    ['admin', 'ADMIN'],
    ['editor', 'EDIT'],
    ['viewer', 'VIEW'],
    ['public', 'PUBLIC'],
  ] as const)('is %s → %s', async (actor, role) => {
    const fx = await fixture(actor === 'public');
    const result = await t.gql(PortfolioDocument, { id: fx.portfolioId }, { token: tokenOf(actor) });
    expect(result.data?.portfolio?.myRole).toBe(role);
  });

  it('a shared user with a share on a public portfolio keeps their share role', async () => {
    const fx = await fixture(true);
    const result = await t.gql(PortfolioDocument, { id: fx.portfolioId }, { token: users.editor.token });
    expect(result.data?.portfolio?.myRole).toBe('EDIT');
  });
});

describe('ids that name nothing', () => {
  const missing = '00000000-0000-4000-8000-000000000000';

  it('portfolio(id) is null for a missing or malformed id, like a stranger sees', async () => {
    for (const id of [missing, 'not-a-uuid']) {
      const result = await t.gql(PortfolioDocument, { id }, { token: users.owner.token });
      expect(result.errors).toBeUndefined();
      expect(result.data?.portfolio).toBeNull();
    }
  });

  it('mutations on them are NOT_FOUND', async () => {
    const token = users.owner.token;
    expect(errorCode(await t.gql(UpdatePortfolioDocument, { id: missing, input: { name: 'x' } }, { token }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(DeletePortfolioDocument, { id: 'not-a-uuid' }, { token }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(AddInvestmentDocument, { portfolioId: missing, input: HOLDING }, { token }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(UpdateInvestmentDocument, { id: missing, input: { quantity: '1' } }, { token }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(RemoveInvestmentDocument, { id: 'nope' }, { token }))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(UnsharePortfolioDocument, { portfolioId: missing, userId: users.viewer.id }, { token }))).toBe(
      'NOT_FOUND',
    );
  });

  it("a stranger's refusal reads exactly like a missing portfolio's", async () => {
    const fx = await fixture(false);
    const stranger = await t.gql(UpdatePortfolioDocument, { id: fx.portfolioId, input: { name: 'x' } }, { token: users.reader.token });
    const nothing = await t.gql(UpdatePortfolioDocument, { id: missing, input: { name: 'x' } }, { token: users.reader.token });
    expect(stranger.errors?.[0]?.message).toBe(nothing.errors?.[0]?.message);
    expect(stranger.errors?.[0]?.extensions).toEqual(nothing.errors?.[0]?.extensions);
  });
});
