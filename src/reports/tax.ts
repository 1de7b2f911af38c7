/**
 * The tax report of a calendar year (contract: "Alerts, notifications and reports"): every lot
 * part a SELL closed in the year, as `Portfolio.realizedGains(from: <year>-01-01, to: <year>-12-31)`
 * has them (the same replay, the same figures), as CSV for a spreadsheet or an accountant, or as
 * a PDF that adds the totals by term and the year's dividends, interest, fees and taxes.
 *
 * The CSV's `description` is Form 8949's column (a), "quantity symbol"; amounts are the API's
 * text (8 places, trailing zeros trimmed), so the rows add up to the API's totals exactly.
 */
import { Decimal } from 'decimal.js';
import { formatFixed, protectCell, realizedBetween, toCsv, type LedgerService, type RealizedGain } from '../ledger/index.js';

export const TAX_REPORT_KIND = 'TAX';
export const TAX_CSV_COLUMNS = ['description', 'dateAcquired', 'dateSold', 'proceeds', 'costBasis', 'gain', 'term', 'currency'] as const;
export const TAX_CONTENT_TYPES = { CSV: 'text/csv; charset=utf-8', PDF: 'application/pdf' } as const;
export type TaxReportFormat = keyof typeof TAX_CONTENT_TYPES;

const PLACES = 8;

export interface TaxReportContent {
  portfolioName: string;
  currency: string;
  year: number;
  from: string;
  to: string;
  method: string;
  generatedAt: Date;
  items: readonly RealizedGain[];
  shortTerm: Decimal;
  longTerm: Decimal;
  total: Decimal;
  income: { dividends: Decimal; interest: Decimal; fees: Decimal; taxes: Decimal };
}

/** The year's realized gains and income, from the ledger's replay (the portfolio's recorded methods, as realizedGains without `method`). */
export async function taxReportContent(
  ledger: LedgerService,
  portfolio: { id: string; name: string; baseCurrency: string },
  year: number,
  generatedAt: Date,
): Promise<TaxReportContent> {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const view = await ledger.view(portfolio.id);
  if (!view) throw new Error(`no portfolio ${portfolio.id}`);
  const realized = realizedBetween(view.state, from, to);
  const income = await ledger.incomeBetween(portfolio.id, view.baseCurrency, from, to);
  return {
    portfolioName: portfolio.name,
    currency: view.baseCurrency,
    year,
    from,
    to,
    method: view.method,
    generatedAt,
    items: realized.items,
    shortTerm: realized.shortTerm,
    longTerm: realized.longTerm,
    total: realized.total,
    income,
  };
}

const term = (item: RealizedGain) => (item.longTerm ? 'LONG' : 'SHORT');
const description = (item: RealizedGain) => `${formatFixed(item.quantityFixed, PLACES)} ${item.symbol}`;

export function renderTaxCsv(content: TaxReportContent): Buffer {
  const rows = content.items.map((item) => [
    protectCell(description(item)),
    item.openedOn,
    item.closedOn,
    formatFixed(item.proceedsFixed, PLACES),
    formatFixed(item.costBasisFixed, PLACES),
    formatFixed(item.gainFixed, PLACES),
    term(item),
    content.currency,
  ]);
  return Buffer.from(toCsv([[...TAX_CSV_COLUMNS], ...rows]), 'utf8');
}

const MARGIN = 40;
const INK = '#1f2328';
const MUTED = '#57606a';
/** Column x offsets (from the margin) and widths of the lots table. */
const COLUMNS: ReadonlyArray<{ title: string; width: number; align: 'left' | 'right' }> = [
  { title: 'Description', width: 120, align: 'left' },
  { title: 'Acquired', width: 62, align: 'left' },
  { title: 'Sold', width: 62, align: 'left' },
  { title: 'Proceeds', width: 72, align: 'right' },
  { title: 'Cost basis', width: 72, align: 'right' },
  { title: 'Gain', width: 72, align: 'right' },
  { title: 'Term', width: 40, align: 'right' },
];

/** An amount to the cent, half up, with thousands separators ("-1,234.56"). */
export function formatMoney(value: Decimal): string {
  const [whole, cents] = value.toFixed(2, Decimal.ROUND_HALF_UP).split('.') as [string, string];
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

export async function renderTaxPdf(content: TaxReportContent): Promise<Buffer> {
  // Imported at the first report (see pdf.ts: pdfkit is heavy and rarely needed in the API).
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `Tax report ${content.year}: ${content.portfolioName}`, Author: 'foliograph', CreationDate: content.generatedAt },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 2 * MARGIN;
  const line = (label: string, value: string, bold = false) => {
    const y = doc.y;
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(10)
      .fillColor(INK);
    doc.text(label, MARGIN, y, { width: 320 });
    doc.text(value, MARGIN + 320, y, { width: width - 320, align: 'right' });
    doc.x = MARGIN;
  };
  const heading = (title: string) => {
    doc.moveDown(0.8);
    doc.font('Helvetica-Bold').fontSize(13).fillColor(INK).text(title, MARGIN);
    doc.moveDown(0.2);
  };

  doc.font('Helvetica-Bold').fontSize(20).fillColor(INK).text(`Tax report ${content.year}`);
  doc
    .font('Helvetica')
    .fontSize(11)
    .fillColor(MUTED)
    .text(`${content.portfolioName} - ${content.from} to ${content.to} - amounts in ${content.currency}`);
  doc
    .fontSize(9)
    .text(
      `Realized gains of the lots sold in the year, each sale by the cost basis method recorded with it (portfolio method: ${content.method}). ` +
        'Long term: sold after the first anniversary of the purchase (IRS Publication 550).',
    );

  heading('Realized gains');
  line('Short-term gain', formatMoney(content.shortTerm));
  line('Long-term gain', formatMoney(content.longTerm));
  line('Total realized gain', formatMoney(content.total), true);

  heading('Income and charges');
  line('Dividends (gross)', formatMoney(content.income.dividends));
  line('Interest (gross)', formatMoney(content.income.interest));
  line('Fees', formatMoney(content.income.fees));
  line('Taxes (withheld and paid)', formatMoney(content.income.taxes));

  heading(`Lots sold (${content.items.length})`);
  const header = () => {
    let x = MARGIN;
    const y = doc.y;
    doc.font('Helvetica-Bold').fontSize(8).fillColor(MUTED);
    for (const c of COLUMNS) {
      doc.text(c.title, x, y, { width: c.width - 4, align: c.align });
      x += c.width;
    }
    doc
      .moveTo(MARGIN, doc.y + 1)
      .lineTo(MARGIN + width, doc.y + 1)
      .lineWidth(0.5)
      .strokeColor('#d0d7de')
      .stroke();
    doc.y += 3;
  };
  header();
  if (content.items.length === 0) line('No sales in the year', '');
  doc.font('Helvetica').fontSize(8).fillColor(INK);
  for (const item of content.items) {
    if (doc.y > doc.page.height - MARGIN - 20) {
      doc.addPage();
      header();
      doc.font('Helvetica').fontSize(8).fillColor(INK);
    }
    const cells = [
      description(item),
      item.openedOn,
      item.closedOn,
      formatMoney(item.proceeds),
      formatMoney(item.costBasis),
      formatMoney(item.gain),
      term(item),
    ];
    let x = MARGIN;
    const y = doc.y;
    cells.forEach((cell, i) => {
      const c = COLUMNS[i]!;
      doc.text(cell, x, y, { width: c.width - 4, align: c.align, lineBreak: false });
      x += c.width;
    });
    doc.y = y + 12;
  }
  doc.x = MARGIN;
  doc
    .moveDown(1)
    .fontSize(7)
    .fillColor(MUTED)
    .text(`Generated ${content.generatedAt.toISOString()} by foliograph from the portfolio's ledger. Not tax advice.`, MARGIN);
  doc.end();
  return done;
}
