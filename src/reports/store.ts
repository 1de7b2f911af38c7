/**
 * Where report files live, behind an interface: PostgreSQL (bytea in `reports`) for now; a file
 * or object store would implement the same three calls.
 */
import type { EmailAttachmentLoader } from '../alerts/index.js';
import type { Db } from '../platform/db.js';

export interface ReportMeta {
  id: string;
  portfolioId: string;
  kind: string;
  fromDate: Date;
  toDate: Date;
  createdAt: Date;
}

export interface StoredReportFile {
  meta: ReportMeta;
  contentType: string;
  content: Buffer;
}

export interface ReportStore {
  /**
   * Stores a report for (portfolio, kind, period). `replace`: a newer one replaces it (on-demand
   * reports); else an existing one is kept and `created` is false (scheduled runs are idempotent).
   */
  put(input: {
    portfolioId: string;
    kind: string;
    from: string;
    to: string;
    content: Buffer;
    replace: boolean;
  }): Promise<{ meta: ReportMeta; created: boolean }>;
  exists(portfolioId: string, kind: string, from: string, to: string): Promise<boolean>;
  get(id: string): Promise<StoredReportFile | null>;
}

const META = { id: true, portfolioId: true, kind: true, fromDate: true, toDate: true, createdAt: true } as const;

export class PostgresReportStore implements ReportStore {
  constructor(private readonly db: Db) {}

  async put(input: { portfolioId: string; kind: string; from: string; to: string; content: Buffer; replace: boolean }) {
    const key = {
      portfolioId: input.portfolioId,
      kind: input.kind,
      fromDate: new Date(`${input.from}T00:00:00Z`),
      toDate: new Date(`${input.to}T00:00:00Z`),
    };
    const content = new Uint8Array(input.content);
    if (input.replace) {
      const meta = await this.db.report.upsert({
        where: { portfolioId_kind_fromDate_toDate: key },
        create: { ...key, content },
        update: { content, createdAt: new Date() },
        select: META,
      });
      return { meta, created: true };
    }
    const inserted = await this.db.report.createManyAndReturn({ data: [{ ...key, content }], skipDuplicates: true, select: META });
    if (inserted[0]) return { meta: inserted[0], created: true };
    const meta = await this.db.report.findUniqueOrThrow({ where: { portfolioId_kind_fromDate_toDate: key }, select: META });
    return { meta, created: false };
  }

  async exists(portfolioId: string, kind: string, from: string, to: string): Promise<boolean> {
    const found = await this.db.report.findUnique({
      where: {
        portfolioId_kind_fromDate_toDate: {
          portfolioId,
          kind,
          fromDate: new Date(`${from}T00:00:00Z`),
          toDate: new Date(`${to}T00:00:00Z`),
        },
      },
      select: { id: true },
    });
    return found !== null;
  }

  async get(id: string): Promise<StoredReportFile | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    const row = await this.db.report.findUnique({ where: { id }, select: { ...META, contentType: true, content: true } });
    if (!row) return null;
    const { contentType, content, ...meta } = row;
    return { meta, contentType, content: Buffer.from(content) };
  }
}

/** A stored report as a notification email's PDF attachment (alerts' email worker loads it through this); null when gone. */
export const reportAttachment: EmailAttachmentLoader = async (db, reportId) => {
  const report = await db.report.findUnique({ where: { id: reportId }, select: { content: true, toDate: true } });
  return report
    ? {
        filename: `foliograph-report-${report.toDate.toISOString().slice(0, 10)}.pdf`,
        content: Buffer.from(report.content),
        contentType: 'application/pdf',
      }
    : null;
};
