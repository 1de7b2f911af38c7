/**
 * AlertService (API side): a user's alerts, notifications and email settings. Access to a
 * portfolio (for portfolio conditions) is checked by the GraphQL layer before calls get here.
 *
 * Creating or deleting an alert publishes `${prefix}alerts:changed`, so the workers' evaluators
 * reload the set of alerts (and the symbols they watch) at once instead of on their next refresh.
 */
import { Decimal } from 'decimal.js';
import { checkedRebalance } from '../analytics/index.js';
import type { Config } from '../config.js';
import { checkSymbol } from '../platform/symbols.js';
import type { MarketService } from '../market/index.js';
import type { AccessLossHook } from '../portfolios/index.js';
import type { Db } from '../platform/db.js';
import { badInput, notFound, Problems } from '../platform/errors.js';
import type { Redis } from '../platform/redis.js';
import { isSymbolCondition, type AlertChannel, type AlertCondition } from './conditions.js';
import { SETTING_OF, type EmailCategory } from './mail.js';

export interface AlertInput {
  condition: AlertCondition;
  symbol?: string | null;
  portfolioId?: string | null;
  threshold: Decimal | string;
  channels?: readonly AlertChannel[] | null;
  repeat?: boolean | null;
  targets?: ReadonlyArray<{ key: string; weight: number }> | null;
}

export type EmailSettingsView = Record<(typeof SETTING_OF)[EmailCategory], boolean>;
export const DEFAULT_EMAIL_SETTINGS: EmailSettingsView = {
  loginAlerts: true,
  alerts: true,
  weeklyReports: true,
  taxLotReviews: true,
  rebalancingReminders: true,
};

export function alertsChangedChannel(prefix: string): string {
  return `${prefix}alerts:changed`;
}

/** A PORTFOLIO_DRIFT_ABOVE alert with targets: what a rebalancing reminder compares against. */
export interface DriftAlert {
  portfolioId: string;
  userId: string;
  threshold: string;
  targets: Array<{ key: string; weight: number }>;
}

/**
 * Every drift alert with targets, by portfolio and then oldest first, in one statement: the
 * reports domain's rebalancing reminders use each portfolio's owner's oldest one.
 */
export function driftAlerts(db: Db): Promise<DriftAlert[]> {
  return db.$queryRaw<DriftAlert[]>`
    SELECT portfolio_id::text AS "portfolioId", user_id::text AS "userId", trim_scale(threshold)::text AS threshold, targets
    FROM alerts
    WHERE condition = 'PORTFOLIO_DRIFT_ABOVE' AND targets IS NOT NULL AND portfolio_id IS NOT NULL
    ORDER BY portfolio_id, created_at, id`;
}

export class AlertService {
  constructor(private readonly deps: { config: Config; db: Db; redis: Redis; market: MarketService }) {}

  list(userId: string) {
    return this.deps.db.alert.findMany({ where: { userId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  }

  /** Validates (every problem at once) and stores a new alert; the caller checked portfolio access. */
  async create(userId: string, input: AlertInput) {
    const { db, config } = this.deps;
    const problems = new Problems();
    const symbolCondition = isSymbolCondition(input.condition);
    let symbol: string | null = null;
    let targets: Array<{ key: string; weight: number }> | null = null;
    const threshold = new Decimal(input.threshold.toString());

    if (symbolCondition) {
      if (input.portfolioId != null) problems.add('portfolioId', `must be omitted for ${input.condition}`);
      if (input.symbol == null || input.symbol.trim() === '') problems.add('symbol', `is required for ${input.condition}`);
      else {
        const before = problems.list.length;
        const given = checkSymbol(problems, 'symbol', input.symbol);
        if (problems.list.length === before) symbol = given;
      }
    } else {
      if (input.symbol != null) problems.add('symbol', `must be omitted for ${input.condition}`);
      if (input.portfolioId == null) problems.add('portfolioId', `is required for ${input.condition}`);
    }
    if (input.condition === 'PORTFOLIO_DRIFT_ABOVE') {
      if (!input.targets || input.targets.length === 0)
        problems.add('targets', 'are required for PORTFOLIO_DRIFT_ABOVE: the target weights by symbol');
      else {
        try {
          targets = checkedRebalance({ targets: input.targets, driftTolerance: 0 }).targets;
        } catch (error) {
          const details = (error as { extensions?: { details?: Array<{ field: string; message: string }> } }).extensions?.details ?? [];
          for (const d of details) problems.add(d.field, d.message);
        }
      }
    } else if (input.targets != null) {
      problems.add('targets', 'are only for PORTFOLIO_DRIFT_ABOVE');
    }

    switch (input.condition) {
      case 'PRICE_ABOVE':
      case 'PRICE_BELOW':
        if (!threshold.gt(0)) problems.add('threshold', 'must be a price above 0');
        break;
      case 'DAY_CHANGE_PERCENT_ABOVE':
      case 'DAY_CHANGE_PERCENT_BELOW':
        if (threshold.abs().gt(1000)) problems.add('threshold', 'must be a percentage from -1000 to 1000 (1.5 = 1.5 %)');
        break;
      case 'PORTFOLIO_VALUE_BELOW':
        if (threshold.lt(0)) problems.add('threshold', 'must be a value of 0 or more');
        break;
      case 'PORTFOLIO_DRIFT_ABOVE':
        if (!(threshold.gt(0) && threshold.lt(1))) problems.add('threshold', 'must be a drift above 0 and below 1, e.g. 0.05');
        break;
    }
    if (threshold.abs().gte('1e20')) problems.add('threshold', 'is too large');
    const channels: AlertChannel[] = [...new Set<AlertChannel>(input.channels ?? ['IN_APP'])];
    if (channels.length === 0) problems.add('channels', 'give at least one channel (EMAIL, IN_APP)');
    problems.throwIfAny();

    if (symbol) {
      // Only market symbols tick (custom assets have no live prices).
      const quote = await this.deps.market.quote(symbol, null);
      if (!quote) throw badInput([{ field: 'symbol', message: `unknown symbol ${symbol}` }]);
    }
    const count = await db.alert.count({ where: { userId } });
    if (count >= config.ALERTS_PER_USER) {
      throw badInput([{ field: 'input', message: `you have ${count} alerts, the most allowed; delete one first` }]);
    }
    const alert = await db.alert.create({
      data: {
        userId,
        condition: input.condition,
        symbol,
        portfolioId: symbolCondition ? null : input.portfolioId!,
        threshold: threshold.toFixed(),
        channels,
        repeat: input.repeat ?? false,
        targets: targets ?? undefined,
      },
    });
    await this.changed();
    return alert;
  }

  /** Deletes the user's alert; NOT_FOUND for anyone else's (or none). */
  async delete(userId: string, id: string): Promise<void> {
    const { count } = await this.deps.db.alert.deleteMany({ where: { id, userId } });
    if (count === 0) throw notFound('Alert');
    await this.changed();
  }

  /**
   * Access ends what it gave (registered with portfolios' AccessChanges by the composition root):
   * in the transaction that takes the access away, the portfolio alerts of those who lost it
   * become inactive, so no evaluator can fire them once it commits (firing is conditional on
   * `active`); then the evaluators reload.
   */
  readonly accessLossHook: AccessLossHook = {
    within: async (tx, lost) => {
      for (const { portfolioId, userIds } of lost) {
        if (userIds === null) await tx.$executeRaw`UPDATE alerts SET active = false WHERE portfolio_id = ${portfolioId}::uuid AND active`;
        else
          await tx.$executeRaw`UPDATE alerts SET active = false
            WHERE portfolio_id = ${portfolioId}::uuid AND active AND user_id = ANY(${userIds}::uuid[])`;
      }
    },
    afterCommit: () => this.changed(),
  };

  // ------------------------------------------------------------------------------ notifications

  unreadCount(userId: string): Promise<number> {
    return this.deps.db.notification.count({ where: { userId, readAt: null } });
  }

  /** Marks the given notifications (all unread ones when `ids` is null) read; returns how many changed. */
  async markRead(userId: string, ids: readonly string[] | null | undefined): Promise<number> {
    if (ids && ids.length > 100) throw badInput([{ field: 'ids', message: 'at most 100 ids at a time' }]);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const wanted = ids ? ids.filter((id) => uuid.test(id)) : null;
    if (wanted && wanted.length === 0) return 0;
    const { count } = await this.deps.db.notification.updateMany({
      where: { userId, readAt: null, ...(wanted ? { id: { in: wanted } } : {}) },
      data: { readAt: new Date() },
    });
    return count;
  }

  // ------------------------------------------------------------------------------ email settings

  async emailSettings(userId: string): Promise<EmailSettingsView> {
    const row = await this.deps.db.emailSettings.findUnique({ where: { userId } });
    return row ? pickSettings(row) : { ...DEFAULT_EMAIL_SETTINGS };
  }

  async updateEmailSettings(
    userId: string,
    patch: Partial<Record<keyof EmailSettingsView, boolean | null | undefined>>,
  ): Promise<EmailSettingsView> {
    const data = Object.fromEntries(Object.entries(patch).filter(([, v]) => typeof v === 'boolean')) as Partial<EmailSettingsView>;
    const row = await this.deps.db.emailSettings.upsert({ where: { userId }, create: { userId, ...data }, update: data });
    return pickSettings(row);
  }

  private async changed(): Promise<void> {
    // Evaluators also reload every few seconds: a lost message only delays the new alert.
    await this.deps.redis.publish(alertsChangedChannel(this.deps.config.REDIS_PREFIX), '1').catch(() => {});
  }
}

function pickSettings(row: EmailSettingsView): EmailSettingsView {
  return {
    loginAlerts: row.loginAlerts,
    alerts: row.alerts,
    weeklyReports: row.weeklyReports,
    taxLotReviews: row.taxLotReviews,
    rebalancingReminders: row.rebalancingReminders,
  };
}
