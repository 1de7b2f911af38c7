/**
 * Alerts, notifications and email settings in GraphQL: Query.alerts, Query.notifications,
 * Query.emailSettings, createAlert, deleteAlert, markNotificationsRead, updateEmailSettings and
 * Subscription.notifications. Thin: the rules are in ./service.ts.
 */
import '../analytics/index.js';
import { TargetWeightInputRef } from '../analytics/index.js';
import { requireViewer } from '../auth/index.js';
import { builder } from '../graphql/builder.js';
import { checkedPageSize } from '../graphql/connection-args.js';
import type { Context } from '../graphql/context.js';
import { forbidden, notFound } from '../platform/errors.js';
import { roleAtLeast, roleOf } from '../portfolios/index.js';
import { ALERT_CHANNELS, ALERT_CONDITIONS, isSymbolCondition } from './conditions.js';
import { subscribeNotifications, type NotificationRecord } from './notifications.js';
import type { EmailSettingsView } from './service.js';

const viewerId = (ctx: Context): string => requireViewer(ctx).userId;

export const AlertConditionEnum = builder.enumType('AlertCondition', { values: ALERT_CONDITIONS });
export const AlertChannelEnum = builder.enumType('AlertChannel', { values: ALERT_CHANNELS });

export const AlertRef = builder.prismaObject('Alert', {
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    condition: t.expose('condition', { type: AlertConditionEnum, nullable: false }),
    symbol: t.exposeString('symbol', { nullable: true }),
    portfolioId: t.exposeID('portfolioId', { nullable: true }),
    threshold: t.expose('threshold', {
      type: 'Decimal',
      nullable: false,
      description:
        'A price (PRICE_*), a percentage (DAY_CHANGE_PERCENT_*, 1.5 = 1.5 %), a value (PORTFOLIO_VALUE_BELOW) or a drift fraction (PORTFOLIO_DRIFT_ABOVE, 0.05).',
    }),
    channels: t.expose('channels', { type: [AlertChannelEnum], nullable: false }),
    repeat: t.exposeBoolean('repeat', {
      nullable: false,
      description: 'false: fires once, then becomes inactive; true: fires again after the condition has cleared.',
    }),
    active: t.exposeBoolean('active', { nullable: false }),
    lastTriggeredAt: t.expose('lastTriggeredAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: false }),
  }),
});

export const NotificationRef = builder.prismaObject('Notification', {
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    kind: t.exposeString('kind', { nullable: false, description: 'ALERT, REPORT, REBALANCING_REMINDER or TAX_LOT_REVIEW.' }),
    title: t.exposeString('title', { nullable: false }),
    body: t.exposeString('body', { nullable: false }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: false }),
    readAt: t.expose('readAt', { type: 'DateTime', nullable: true }),
  }),
});

const EmailSettingsRef = builder.objectRef<EmailSettingsView>('EmailSettings').implement({
  description: 'Which emails the caller wants. Every such email has a one-click unsubscribe link for its kind.',
  fields: (t) => ({
    loginAlerts: t.exposeBoolean('loginAlerts', { nullable: false }),
    alerts: t.exposeBoolean('alerts', { nullable: false }),
    weeklyReports: t.exposeBoolean('weeklyReports', { nullable: false }),
    taxLotReviews: t.exposeBoolean('taxLotReviews', { nullable: false }),
    rebalancingReminders: t.exposeBoolean('rebalancingReminders', { nullable: false }),
  }),
});

const EmailSettingsInputRef = builder.inputType('EmailSettingsInput', {
  fields: (t) => ({
    loginAlerts: t.boolean(),
    alerts: t.boolean(),
    weeklyReports: t.boolean(),
    taxLotReviews: t.boolean(),
    rebalancingReminders: t.boolean(),
  }),
});

const AlertInputRef = builder.inputType('AlertInput', {
  fields: (t) => ({
    condition: t.field({ type: AlertConditionEnum, required: true }),
    symbol: t.string({ description: 'PRICE_* and DAY_CHANGE_PERCENT_*: a market symbol.' }),
    portfolioId: t.id({ description: 'PORTFOLIO_*: a portfolio the caller may view (VIEW and up).' }),
    threshold: t.field({ type: 'Decimal', required: true }),
    channels: t.field({ type: [AlertChannelEnum], description: 'IN_APP when omitted.' }),
    repeat: t.boolean({ description: 'false when omitted.' }),
    targets: t.field({
      type: [TargetWeightInputRef],
      description: 'PORTFOLIO_DRIFT_ABOVE: the target weights by symbol that drift is measured against (as in Portfolio.rebalance).',
    }),
  }),
});

builder.queryFields((t) => ({
  alerts: t.prismaField({
    type: ['Alert'],
    nullable: false,
    description: "The caller's alerts, newest first.",
    authScopes: { authenticated: true },
    resolve: (_query, _root, _args, ctx) => ctx.services.alerts.list(viewerId(ctx)),
  }),

  notifications: t.prismaConnection(
    {
      type: 'Notification',
      nullable: false,
      description: "The caller's notifications of the last 90 days, newest first.",
      authScopes: { authenticated: true },
      cursor: 'id',
      maxSize: checkedPageSize,
      args: { unreadOnly: t.arg.boolean() },
      totalCount: (_root, args, ctx) =>
        ctx.services.db.notification.count({ where: { userId: viewerId(ctx), ...(args.unreadOnly ? { readAt: null } : {}) } }),
      resolve: (query, _root, args, ctx) =>
        ctx.services.db.notification.findMany({
          ...query,
          where: { userId: viewerId(ctx), ...(args.unreadOnly ? { readAt: null } : {}) },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
    },
    {
      name: 'NotificationConnection',
      fields: (c) => ({
        unreadCount: c.int({ nullable: false, resolve: (_connection, _args, ctx) => ctx.services.alerts.unreadCount(viewerId(ctx)) }),
      }),
    },
    { name: 'NotificationEdge' },
  ),

  emailSettings: t.field({
    type: EmailSettingsRef,
    nullable: false,
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => ctx.services.alerts.emailSettings(viewerId(ctx)),
  }),
}));

builder.mutationFields((t) => ({
  createAlert: t.prismaField({
    type: 'Alert',
    nullable: false,
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: AlertInputRef, required: true }) },
    resolve: async (_query, _root, { input }, ctx) => {
      // Portfolio conditions: the caller must be able to view it (symbol conditions refuse a portfolioId anyway).
      if (input.portfolioId != null && !isSymbolCondition(input.condition)) {
        const role = await roleOf(ctx, input.portfolioId);
        if (!role) throw notFound('Portfolio');
        if (!roleAtLeast(role, 'VIEW')) throw forbidden('Alerts need at least VIEW access to the portfolio');
      }
      return ctx.services.alerts.create(viewerId(ctx), input);
    },
  }),

  deleteAlert: t.boolean({
    nullable: false,
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.alerts.delete(viewerId(ctx), id);
      return true;
    },
  }),

  markNotificationsRead: t.int({
    nullable: false,
    description: 'Marks these notifications read (all unread ones when ids is omitted); returns how many changed.',
    authScopes: { authenticated: true },
    args: { ids: t.arg.idList() },
    resolve: (_root, { ids }, ctx) => ctx.services.alerts.markRead(viewerId(ctx), ids),
  }),

  updateEmailSettings: t.field({
    type: EmailSettingsRef,
    nullable: false,
    description: 'Turns kinds of email on or off (omitted fields stay as they are).',
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: EmailSettingsInputRef, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.alerts.updateEmailSettings(viewerId(ctx), input),
  }),
}));

builder.subscriptionFields((t) => ({
  notifications: t.field({
    type: NotificationRef,
    nullable: false,
    description: "The caller's new notifications (alerts that fired, reports that are ready), as they are created.",
    authScopes: { authenticated: true },
    subscribe: (_root, _args, ctx) => subscribeNotifications(ctx.services.channels, ctx.services.config.REDIS_PREFIX, viewerId(ctx)),
    resolve: (notification: NotificationRecord) => notification,
  }),
}));
