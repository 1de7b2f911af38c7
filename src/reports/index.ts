/**
 * The reports domain's door: daily snapshots, risk report PDFs, rebalancing reminders and the
 * reports queue (schedulers and processors). The API uses ReportService and reportRoutes; the
 * worker runs startReportsWorker.
 */
import './schema.js';
import './tax-lots.schema.js';
export { ReportService, WEEKLY_REPORT_KIND, ON_DEMAND_REPORT_KIND, type SnapshotProgress } from './service.js';
export { PostgresReportStore, reportAttachment, type ReportStore } from './store.js';
export { startReportsWorker, startNotificationsAndReports, REPORT_JOBS, lastFullWeek, lastTradingDay } from './jobs.js';
export { reportRoutes } from './routes.js';
export { formatPercent, formatRatio, renderRiskReport } from './pdf.js';
export { TAX_CSV_COLUMNS, TAX_REPORT_KIND } from './tax.js';
export { TaxLotReview, suggestTaxLots, WASH_SALE_DAYS, type TaxLotSuggestion } from './tax-lots.js';
