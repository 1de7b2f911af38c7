/**
 * Where report files live, behind an interface: PostgreSQL (bytea in `reports`) for now; a file
 * or object store would implement the same three calls.
 */
import { isoDateOf } from '../platform/dates.js';
import type { EmailAttachmentLoader } from '../alerts/index.js';
import type { Db, Prisma } from '../platform/db.js';

/** Work to commit with a newly stored report (its announcement): runs in the transaction that stores it. */
export type OnReportStored = (tx: Prisma.TransactionClient, meta: ReportMeta) => Promise<void>;

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
   * `onStored` runs only when the report is stored now, committed with it or not at all.
   */
  put(
    input: {
      portfolioId: string;
      kind: string;
      from: string;
      to: string;
      content: Buffer;
      /** Default application/pdf; part of the report's key (a tax report comes as CSV and as PDF). */
      contentType?: string;
      replace: boolean;
    },
    onStored?: OnReportStored,
  ): Promise<{ meta: ReportMeta; created: boolean }>;
  exists(portfolioId: string, kind: string, from: string, to: string, contentType?: string): Promise<boolean>;
  get(id: string): Promise<StoredReportFile | null>;
}

const META = { id: true, portfolioId: true, kind: true, fromDate: true, toDate: true, createdAt: true } as const;
const PDF = 'application/pdf';

export class PostgresReportStore implements ReportStore {
  constructor(private readonly db: Db) {}

  async put(
    input: { portfolioId: string; kind: string; from: string; to: string; content: Buffer; contentType?: string; replace: boolean },
    onStored?: OnReportStored,
  ) {
    const key = {
      portfolioId: input.portfolioId,
      kind: input.kind,
      fromDate: new Date(`${input.from}T00:00:00Z`),
      toDate: new Date(`${input.to}T00:00:00Z`),
      contentType: input.contentType ?? PDF,
    };
    const content = new Uint8Array(input.content);
    const stored = await this.db.$transaction(async (tx) => {
      const meta = input.replace
        ? await tx.report.upsert({
            where: { portfolioId_kind_fromDate_toDate_contentType: key },
            create: { ...key, content },
            update: { content, createdAt: new Date() },
            select: META,
          })
        : (await tx.report.createManyAndReturn({ data: [{ ...key, content }], skipDuplicates: true, select: META }))[0];
      if (meta) await onStored?.(tx, meta);
      return meta;
    });
    if (stored) return { meta: stored, created: true };
    const meta = await this.db.report.findUniqueOrThrow({ where: { portfolioId_kind_fromDate_toDate_contentType: key }, select: META });
    return { meta, created: false };
  }

  async exists(portfolioId: string, kind: string, from: string, to: string, contentType = PDF): Promise<boolean> {
    const found = await this.db.report.findUnique({
      where: {
        portfolioId_kind_fromDate_toDate_contentType: {
          portfolioId,
          kind,
          fromDate: new Date(`${from}T00:00:00Z`),
          toDate: new Date(`${to}T00:00:00Z`),
          contentType,
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
        filename: `foliograph-report-${isoDateOf(report.toDate)}.pdf`,
        content: Buffer.from(report.content),
        contentType: 'application/pdf',
      }
    : null;
};
