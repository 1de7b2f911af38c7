/**
 * Snapshots and reports in GraphQL: Portfolio.snapshots (PUBLIC and up, like the other figures),
 * Portfolio.reports and generateReport (VIEW and up: a public reader never sees reports).
 */
import '../portfolios/index.js';
import { builder } from '../graphql/builder.js';
import { checkedPageSize } from '../graphql/connection-args.js';
import { PortfolioRef } from '../portfolios/index.js';
import { ON_DEMAND_REPORT_KIND } from './service.js';
import { TAX_CONTENT_TYPES } from './tax.js';
import { reportDownloadUrl } from './urls.js';

const PortfolioSnapshotRef = builder
  .objectRef<{ date: Date; value: { toString(): string }; cost: { toString(): string }; currency: string }>('PortfolioSnapshot')
  .implement({
    description: "The portfolio's value at one day's close, stored by the daily snapshot job.",
    fields: (t) => ({
      date: t.expose('date', { type: 'Date', nullable: false }),
      value: t.field({ type: 'Decimal', nullable: false, resolve: (s) => s.value }),
      cost: t.field({ type: 'Decimal', nullable: false, resolve: (s) => s.cost }),
      currency: t.exposeString('currency', { nullable: false }),
    }),
  });

export const ReportRef = builder.prismaObject('Report', {
  authScopes: (report) => ({ portfolioRole: { portfolioId: report.portfolioId, atLeast: 'VIEW' } }),
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    kind: t.exposeString('kind', {
      nullable: false,
      description: 'WEEKLY_RISK (scheduled), RISK (generateReport) or TAX (generateTaxReport).',
    }),
    from: t.expose('fromDate', { type: 'Date', nullable: false }),
    to: t.expose('toDate', { type: 'Date', nullable: false }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: false }),
    downloadUrl: t.string({
      nullable: false,
      description: 'GET it with the same Authorization header: a PDF.',
      resolve: (report, _args, ctx) => reportDownloadUrl(ctx.services.config.PUBLIC_URL, report.id),
    }),
  }),
});

builder.prismaObjectFields(PortfolioRef, (t) => ({
  snapshots: t.field({
    type: [PortfolioSnapshotRef],
    nullable: false,
    description: 'Daily closing values stored by the snapshot job, oldest first (default: the last 365 days).',
    args: { from: t.arg({ type: 'Date' }), to: t.arg({ type: 'Date' }) },
    resolve: (portfolio, args, ctx) => ctx.services.reports.snapshots(portfolio.id, args),
  }),
  reports: t.relatedConnection(
    'reports',
    {
      nullable: false,
      description: 'Generated reports, newest first: collaborators (VIEW and up) only.',
      authScopes: (portfolio) => ({ portfolioRole: { portfolioId: portfolio.id, atLeast: 'VIEW' } }),
      cursor: 'id',
      totalCount: true,
      maxSize: checkedPageSize,
      query: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] },
    },
    { name: 'ReportConnection' },
    { name: 'ReportEdge' },
  ),
}));

builder.mutationFields((t) => ({
  generateReport: t.prismaField({
    type: 'Report',
    nullable: false,
    description: 'A risk report PDF of from..to (default: the 7 days up to yesterday), made now; again for the same period replaces it.',
    authScopes: (_root, { portfolioId }) => ({ portfolioRole: { portfolioId, atLeast: 'VIEW' } }),
    args: { portfolioId: t.arg.id({ required: true }), from: t.arg({ type: 'Date' }), to: t.arg({ type: 'Date' }) },
    resolve: async (query, _root, { portfolioId, from, to }, ctx) => {
      const { meta } = await ctx.services.reports.generate(portfolioId, ON_DEMAND_REPORT_KIND, { from, to }, true);
      return ctx.services.db.report.findUniqueOrThrow({ ...query, where: { id: meta.id } });
    },
  }),
}));

const TaxReportFormatEnum = builder.enumType('TaxReportFormat', {
  values: Object.keys(TAX_CONTENT_TYPES) as Array<keyof typeof TAX_CONTENT_TYPES>,
});

builder.mutationFields((t) => ({
  generateTaxReport: t.prismaField({
    type: 'Report',
    nullable: false,
    description: 'A Report of kind TAX for the calendar year (README: Alerts, notifications and reports).',
    authScopes: (_root, { portfolioId }) => ({ portfolioRole: { portfolioId, atLeast: 'VIEW' } }),
    args: {
      portfolioId: t.arg.id({ required: true }),
      year: t.arg.int({ required: true }),
      format: t.arg({ type: TaxReportFormatEnum, required: true }),
    },
    resolve: async (query, _root, { portfolioId, year, format }, ctx) => {
      const meta = await ctx.services.reports.generateTax(portfolioId, year, format);
      return ctx.services.db.report.findUniqueOrThrow({ ...query, where: { id: meta.id } });
    },
  }),
}));
