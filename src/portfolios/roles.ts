/**
 * Who may do what with a portfolio: the caller's role, resolved once per portfolio per request
 * (a dataloader that batches every portfolio id a request touches into one query to the
 * portfolio-access service, ./access.ts), and the one
 * check every portfolio field and mutation goes through: the `portfolioRole` auth scope
 * (src/graphql/builder.ts), which calls `hasPortfolioRole` below.
 *
 * Roles, weakest first: PUBLIC (anyone signed in, on a public portfolio) < VIEW < EDIT < ADMIN
 * (shares) < OWNER. A caller with no role learns nothing: the check fails with NOT_FOUND, exactly
 * as for a portfolio that does not exist. A caller with too weak a role gets FORBIDDEN.
 *
 * What each role may do (the `atLeast` each field and mutation declares in ./*.schema.ts):
 *
 * | operation / field                                   | OWNER | ADMIN | EDIT | VIEW | PUBLIC |
 * |-----------------------------------------------------|-------|-------|------|------|--------|
 * | read details, owner's id and name, myRole, investments |  ✓   |   ✓   |  ✓   |  ✓   |   ✓    |
 * | owner's account fields (email, emailVerified,       |   ✓   |   ✓   |  ✓   |  ✓   |   ✗    |
 * |   mfaEnabled, lastLoginAt, createdAt)               |       |       |      |      |        |
 * | Investment.notes                                    |   ✓   |   ✓   |  ✓   |  ✓   |  null  |
 * | Portfolio.shares, Portfolio.activity, export        |   ✓   |   ✓   |  ✓   |  ✓   |   ✗    |
 * | Activity.ipAddress, Activity.userAgent              |   ✓   |   ✓   | null | null |   –    |
 * | updatePortfolio (name, description)                 |   ✓   |   ✓   |  ✓   |  ✗   |   ✗    |
 * | updatePortfolio (isPublic: who may see it at all)   |   ✓   |   ✓   |  ✗   |  ✗   |   ✗    |
 * | add/update/removeInvestment                         |   ✓   |   ✓   |  ✓   |  ✗   |   ✗    |
 * | share/unshare with VIEW or EDIT                     |   ✓   |   ✓   |  ✗   |  ✗   |   ✗    |
 * | share/unshare involving ADMIN (grant, change, drop) |   ✓   |   ✗   |  ✗   |  ✗   |   ✗    |
 * | unshare yourself (leave the portfolio)              |   –   |   ✓   |  ✓   |  ✓   |   –    |
 * | deletePortfolio                                     |   ✓   |   ✗   |  ✗   |  ✗   |   ✗    |
 *
 * ✗ is FORBIDDEN. Anyone signed in may list their portfolios, create or import one, and create
 * and price custom assets (their own); anonymous callers get UNAUTHENTICATED on every portfolio
 * operation, including `portfolio(id)`; for someone with no role, `portfolio(id)` is null and the
 * rest NOT_FOUND. Collaborators (VIEW and up) see the share list and the audit trail (who changed
 * what); a public reader sees neither, since both name the people the portfolio is shared with.
 * IP addresses and user agents in the trail are personal data: only those who manage access see them.
 * A public reader sees the holdings and figures and the owner's name, never the owner's account
 * fields (FORBIDDEN: the contract types them non-null, so there is no null to give) nor the notes
 * people keep on their investments (null). The rows of READ_ROLES below are what ./*.schema.ts and
 * src/auth/schema.ts declare for those fields.
 */
import DataLoader from 'dataloader';
import { defineAuthScope } from '../graphql/builder.js';
import { perRequest, type Context } from '../graphql/context.js';
import { notFound, unauthenticated } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';
import type { Permission } from '../generated/prisma/enums.js';

const PORTFOLIO_ROLES = ['PUBLIC', 'VIEW', 'EDIT', 'ADMIN', 'OWNER'] as const;
export type PortfolioRole = (typeof PORTFOLIO_ROLES)[number];

function roleRank(role: PortfolioRole): number {
  return PORTFOLIO_ROLES.indexOf(role);
}

export function roleAtLeast(role: PortfolioRole, atLeast: PortfolioRole): boolean {
  return roleRank(role) >= roleRank(atLeast);
}

/** The role each guarded read needs (the matrix above): one place, used by the schema. */
export const READ_ROLES = {
  /** Portfolio.shares, Portfolio.activity and exportPortfolio. */
  collaboration: 'VIEW',
  /** The owner's email, emailVerified, mfaEnabled, lastLoginAt and createdAt, reached through Portfolio.owner. */
  ownerAccountFields: 'VIEW',
  /** Investment.notes. */
  investmentNotes: 'VIEW',
  /** Activity.ipAddress and Activity.userAgent. */
  activityClientDetails: 'ADMIN',
} as const satisfies Record<string, PortfolioRole>;

/**
 * What a field or mutation requires: a role on a portfolio. `as` names what a caller without any
 * role is told is not found (default: the Portfolio; the ledger's mutations on one of its
 * investments or transactions name that, so the portfolio's existence is not given away).
 */
export interface PortfolioRoleRequirement {
  portfolioId: string;
  atLeast: PortfolioRole;
  as?: 'Investment' | 'Transaction';
}

/** What decides a caller's role on one portfolio: its owner, their share (if any), and whether it is public. */
export interface PortfolioAccessFacts {
  owner_id: string;
  is_public: boolean;
  permission: Permission | null;
}

/** The rule: the owner is OWNER, a share gives its permission, a public portfolio gives PUBLIC; else none. */
export function roleFromAccess(userId: string, row: PortfolioAccessFacts): PortfolioRole | null {
  if (row.owner_id === userId) return 'OWNER';
  if (row.permission) return row.permission;
  return row.is_public ? 'PUBLIC' : null;
}

const ROLE_LOADER = Symbol('portfolios.roles');
const KNOWN_ROLES = Symbol('portfolios.knownRoles');

/**
 * The roles this request's loader has already answered, by portfolio id. The `portfolioRole`
 * check reads them synchronously: a portfolio's role is decided once (one batched query) and
 * every object reached through that portfolio (each Investment of a page) inherits the decision
 * without a promise of its own. The profile of a 20 × 50 page showed the per-object async checks
 * (promise chains through the scope plugin and the dataloader, and the garbage they leave) as
 * one of the largest costs of the read path.
 */
function knownRoles(ctx: Context): Map<string, PortfolioRole | null> {
  return perRequest(ctx, KNOWN_ROLES, () => new Map<string, PortfolioRole | null>());
}

/** The caller's role per portfolio id (null: no access, or no such portfolio), batched per request. */
export function portfolioRoles(ctx: Context): DataLoader<string, PortfolioRole | null> {
  return perRequest(ctx, ROLE_LOADER, () => {
    const userId = ctx.viewer?.userId;
    return new DataLoader<string, PortfolioRole | null>(async (ids) => {
      const wanted = userId ? ids.filter(isUuid) : [];
      if (!userId || wanted.length === 0) return ids.map(() => null);
      // One statement for the whole batch (the portfolio-access service, ./access.ts).
      const byId = await ctx.services.portfolioAccess.rolesOf(userId, [...new Set(wanted)]);
      const known = knownRoles(ctx);
      return ids.map((id) => {
        const role = byId.get(id) ?? null;
        known.set(id, role);
        return role;
      });
    });
  });
}

/**
 * Records OWNER for the rows among `rows` (portfolio rows as just read) that the caller owns: what
 * the access service would answer from the same row, since roleFromAccess makes the owner OWNER
 * whatever else holds, so a page of the caller's own portfolios costs no role statement (one
 * Prisma call fewer per request on the read path). Rows they do not own are left to the loader.
 */
export function primeOwnRoles(ctx: Context, rows: readonly { id: string; ownerId?: unknown }[]): void {
  const userId = ctx.viewer?.userId;
  if (!userId) return;
  const known = knownRoles(ctx);
  const loader = portfolioRoles(ctx);
  for (const row of rows) {
    if (row.ownerId !== userId || known.has(row.id)) continue;
    known.set(row.id, 'OWNER');
    loader.prime(row.id, 'OWNER');
  }
}

/** The caller's role on a portfolio, or null when they have none (or it does not exist). */
export function roleOf(ctx: Context, portfolioId: string): Promise<PortfolioRole | null> {
  return portfolioRoles(ctx).load(portfolioId);
}

/**
 * Forget what this request knows about a portfolio's roles, after a change to them (a share,
 * an unshare, a deletion), so later fields of the same request see the new state.
 */
export function forgetPortfolioRole(ctx: Context, portfolioId: string): void {
  knownRoles(ctx).delete(portfolioId);
  portfolioRoles(ctx).clear(portfolioId);
}

/**
 * The `portfolioRole` scope: true when the caller's role meets the requirement, false when it is
 * too weak (the scope plugin then answers FORBIDDEN); throws UNAUTHENTICATED for an anonymous
 * caller and NOT_FOUND for a caller without any role, so they learn nothing.
 */
export function hasPortfolioRole(ctx: Context, requirement: PortfolioRoleRequirement): boolean | Promise<boolean> {
  if (!ctx.viewer) throw unauthenticated();
  // Already decided in this request (the portfolio an object was reached through): the same
  // rule, answered without a promise.
  const known = knownRoles(ctx);
  if (known.has(requirement.portfolioId)) return meets(known.get(requirement.portfolioId) ?? null, requirement);
  return roleOf(ctx, requirement.portfolioId).then((role) => meets(role, requirement));
}

function meets(role: PortfolioRole | null, requirement: PortfolioRoleRequirement): boolean {
  if (!role) throw notFound(requirement.as ?? 'Portfolio');
  return roleAtLeast(role, requirement.atLeast);
}

const OWNER_CONTEXT = Symbol('portfolios.ownerContext');

/** The portfolio through which each owner object of this request was reached (Portfolio.owner). */
function ownerContexts(ctx: Context): WeakMap<object, string> {
  return perRequest(ctx, OWNER_CONTEXT, () => new WeakMap<object, string>());
}

/**
 * The owner of `portfolioId` as Portfolio.owner hands it out: a copy of its own, remembered as
 * reached through that portfolio, so the account-field check below knows whose rules apply.
 */
export function ownerReachedThrough<T extends object>(ctx: Context, portfolioId: string, owner: T): T {
  const copy = { ...owner };
  ownerContexts(ctx).set(copy, portfolioId);
  return copy;
}

/**
 * The `accountFields` scope: whether the caller may see a user's account fields (email,
 * emailVerified, mfaEnabled, lastLoginAt, createdAt). Users reached through a share, the trail or `me` are
 * already behind VIEW (or are the caller); an owner reached through Portfolio.owner needs
 * READ_ROLES.ownerAccountFields on that portfolio (a public reader sees the name only).
 */
export async function mayReadAccountFields(ctx: Context, user: object & { id: string }): Promise<boolean> {
  const portfolioId = ownerContexts(ctx).get(user);
  if (portfolioId === undefined || user.id === ctx.viewer?.userId) return true;
  const role = await roleOf(ctx, portfolioId);
  return role !== null && roleAtLeast(role, READ_ROLES.ownerAccountFields);
}

declare module '../graphql/builder.js' {
  interface DomainAuthScopes {
    /** At least this role on a portfolio (the table above). */
    portfolioRole: PortfolioRoleRequirement;
    /** May the caller see this user's account fields (mayReadAccountFields below)? Too weak a role → FORBIDDEN. */
    accountFields: { id: string };
  }
}
defineAuthScope('portfolioRole', hasPortfolioRole);
defineAuthScope('accountFields', mayReadAccountFields);

/** A share as it stands before a change: its permission, and whether it is the caller's own. */
export interface ExistingShare {
  permission: Permission;
  own: boolean;
}

/**
 * The role needed to set a share to `permission` (null: remove it), given the share as it is
 * (null: none): ADMIN manages VIEW and EDIT shares; only the owner grants, changes or removes an
 * ADMIN share; anyone may remove their own share (leave the portfolio), and only sharing
 * managers hear that they cannot share with themselves.
 */
export function roleToManageShare(permission: Permission | null, existing: ExistingShare | null): PortfolioRole {
  if (existing?.own) return permission === null ? 'VIEW' : 'ADMIN';
  return permission === 'ADMIN' || existing?.permission === 'ADMIN' ? 'OWNER' : 'ADMIN';
}
