/**
 * The weekly risk report as a PDF, drawn with pdfkit (no I/O besides pdfkit's own font files).
 *
 * pdfkit rather than pdf-lib: it lays out text (wrapping, alignment) and has a vector drawing
 * API (paths, strokes, fills), so the value chart is drawn as vector paths directly in the PDF
 * without an SVG step or a chart library; pdf-lib would need text layout written by hand.
 * Standard PDF fonts (Helvetica) keep it offline and the text extractable (pdftotext).
 *
 * Figures are printed with `formatPercent` / `formatRatio`, which tests use to find the API's
 * figures in the extracted text.
 */
import type { RiskFigures } from '../analytics/core/index.js';

/** The performance figures and the risk figures the report prints (the analytics core's). */
export interface ReportFigures extends Pick<
  RiskFigures,
  'volatility' | 'sharpeRatio' | 'sortinoRatio' | 'beta' | 'maxDrawdown' | 'valueAtRisk' | 'conditionalValueAtRisk'
> {
  timeWeightedReturn: number | null;
  moneyWeightedReturn: number | null;
  annualizedReturn: number | null;
}

export interface RiskReportContent {
  portfolioName: string;
  currency: string;
  from: string;
  to: string;
  generatedAt: Date;
  /** The value per valued day (Performance.series). */
  series: ReadonlyArray<{ date: string; value: number }>;
  figures: ReportFigures;
  benchmark: string | null;
  /** Where the benchmark's prices came from ("simulated prices" for the built-in simulation). */
  benchmarkSource: string | null;
  allocation: ReadonlyArray<{ key: string; value: string; weight: number }>;
  /** The day of the valuation the allocation is (today's prices, not the period's end). */
  allocationAsOf: string;
  /** The first and last valued day's value (Performance.series). */
  startValue: number | null;
  endValue: number | null;
  /** Realized gains of the lots sold in the period (realizedGains), to the cent. */
  realized: { shortTerm: string; longTerm: string; total: string } | null;
  /** The period's dividends and interest (gross), fees and taxes (withheld and paid), to the cent. */
  income: { dividends: string; interest: string; fees: string; taxes: string };
  /** Holdings' own price change over the period, fractions, best and worst. */
  movers: ReadonlyArray<{ symbol: string; change: number }>;
}

/** A fraction as a percentage with two decimals ("1.23%"), "n/a" for null. */
export function formatPercent(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(2)}%`;
}

/** A ratio with three decimals ("0.842"), "n/a" for null. */
export function formatRatio(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(3);
}

const MARGIN = 50;
const INK = '#1f2328';
const MUTED = '#57606a';
const ACCENT = '#1f6feb';

export async function renderRiskReport(content: RiskReportContent): Promise<Buffer> {
  // Imported at the first report: pdfkit and its fonts (fontkit, brotli, ...) weigh ~20 MB of
  // memory in every process that loads them, and an API process rarely renders a PDF.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `Weekly risk report: ${content.portfolioName}`, Author: 'foliograph', CreationDate: content.generatedAt },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 2 * MARGIN;

  doc.fillColor(INK).font('Helvetica-Bold').fontSize(20).text('Risk report');
  doc
    .font('Helvetica')
    .fontSize(12)
    .fillColor(MUTED)
    .text(`${content.portfolioName} - ${content.from} to ${content.to} - values in ${content.currency}`);
  doc.moveDown(1);

  // Value chart, vector paths.
  const chartTop = doc.y;
  const chartHeight = 170;
  drawChart(doc, content.series, content.currency, MARGIN, chartTop, width, chartHeight);
  doc.y = chartTop + chartHeight + 32;
  doc.x = MARGIN;

  const f = content.figures;
  const money = (v: number | string | null) => (v === null ? 'n/a' : `${Number(v).toFixed(2)} ${content.currency}`);
  section(doc, 'Performance');
  rows(doc, [
    [`Value at start (${content.series[0]?.date ?? content.from})`, money(content.startValue)],
    [`Value at end (${content.series[content.series.length - 1]?.date ?? content.to})`, money(content.endValue)],
    ['Time-weighted return', formatPercent(f.timeWeightedReturn)],
    ['Money-weighted return (annual)', formatPercent(f.moneyWeightedReturn)],
    ['Annualized return', formatPercent(f.annualizedReturn)],
  ]);
  section(doc, 'Income, costs and realized gains in the period');
  rows(doc, [
    [
      'Realized gains (short term / long term)',
      content.realized ? `${money(content.realized.total)}  (${content.realized.shortTerm} / ${content.realized.longTerm})` : 'n/a',
    ],
    ['Dividends (gross)', money(content.income.dividends)],
    ['Interest (gross)', money(content.income.interest)],
    ['Fees', money(content.income.fees)],
    ['Taxes (withheld and paid)', money(content.income.taxes)],
  ]);
  section(doc, 'Risk');
  rows(doc, [
    ['Volatility (annual)', formatPercent(f.volatility)],
    ['Sharpe ratio', formatRatio(f.sharpeRatio)],
    ['Sortino ratio', formatRatio(f.sortinoRatio)],
    [`Beta${content.benchmark ? ` vs ${content.benchmark}` : ''}`, formatRatio(f.beta)],
    ['Maximum drawdown', formatPercent(f.maxDrawdown)],
    ['Value at risk (95%, 1 day)', formatPercent(f.valueAtRisk)],
    ['Conditional value at risk (95%, 1 day)', formatPercent(f.conditionalValueAtRisk)],
  ]);
  if (content.benchmark)
    note(
      doc,
      `Beta is measured against ${content.benchmark}, from ${content.benchmarkSource ?? 'unknown prices'}${content.benchmarkSource === 'simulated prices' ? ' (not market data)' : ''}.`,
    );
  section(doc, `Allocation as of ${content.allocationAsOf}`);
  rows(
    doc,
    content.allocation.slice(0, 10).map((slice) => [slice.key, `${formatPercent(slice.weight)}  (${slice.value} ${content.currency})`]),
  );
  if (content.allocation.length === 0) rows(doc, [['No holdings', '']]);
  section(doc, 'Top movers');
  rows(
    doc,
    content.movers.map((m) => [m.symbol, `${m.change >= 0 ? '+' : ''}${formatPercent(m.change)}`]),
  );
  if (content.movers.length === 0) rows(doc, [['No price changes in the period', '']]);

  doc
    .moveDown(1)
    .fontSize(8)
    .fillColor(MUTED)
    .text(`Generated ${content.generatedAt.toISOString()} by foliograph. Figures follow the API's analytics conventions.`, MARGIN);
  doc.end();
  return done;
}

function section(doc: PDFKit.PDFDocument, title: string): void {
  doc.moveDown(0.6).x = MARGIN;
  doc.font('Helvetica-Bold').fontSize(13).fillColor(INK).text(title, MARGIN);
  doc.moveDown(0.2);
}

function note(doc: PDFKit.PDFDocument, text: string): void {
  doc.font('Helvetica-Oblique').fontSize(8).fillColor(MUTED).text(text, MARGIN);
  doc.x = MARGIN;
}

function rows(doc: PDFKit.PDFDocument, entries: ReadonlyArray<readonly [string, string]>): void {
  doc.font('Helvetica').fontSize(10).fillColor(INK);
  for (const [label, value] of entries) {
    const y = doc.y;
    doc.text(label, MARGIN, y, { width: 300 });
    doc.text(value, MARGIN + 300, y, { width: doc.page.width - 2 * MARGIN - 300, align: 'right' });
    doc.x = MARGIN;
  }
}

/** About `count` round values covering low..high (1, 2 or 5 times a power of ten apart). */
export function niceTicks(low: number, high: number, count = 5): number[] {
  const raw = (high - low) / Math.max(1, count - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

function drawChart(
  doc: PDFKit.PDFDocument,
  series: RiskReportContent['series'],
  currency: string,
  x0: number,
  y: number,
  fullWidth: number,
  height: number,
): void {
  doc.save();
  // Room on the left for the value labels and the axis title, below for the dates.
  const gutter = 62;
  const x = x0 + gutter;
  const width = fullWidth - gutter;
  doc.lineWidth(0.5).strokeColor('#d0d7de').rect(x, y, width, height).stroke();
  if (series.length < 2) {
    doc
      .font('Helvetica')
      .fontSize(10)
      .fillColor(MUTED)
      .text('Not enough valued days for a chart', x, y + height / 2 - 5, { width, align: 'center' });
    doc.restore();
    return;
  }
  const values = series.map((p) => p.value);
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (high === low) {
    high += Math.abs(high) * 0.01 || 1;
    low -= Math.abs(low) * 0.01 || 1;
  }
  const ticks = niceTicks(low, high);
  low = Math.min(low, ticks[0] ?? low);
  high = Math.max(high, ticks[ticks.length - 1] ?? high);
  const pad = 8;
  const px = (i: number) => x + pad + (i / (series.length - 1)) * (width - 2 * pad);
  const py = (v: number) => y + height - pad - ((v - low) / (high - low)) * (height - 2 * pad);
  // Value axis: gridlines and labels at round values.
  doc.font('Helvetica').fontSize(7).fillColor(MUTED);
  const decimals = ticks.length > 1 && ticks[1]! - ticks[0]! < 1 ? 2 : 0;
  for (const tick of ticks) {
    const ty = py(tick);
    doc
      .moveTo(x, ty)
      .lineTo(x + width, ty)
      .lineWidth(0.3)
      .strokeColor('#eaeef2')
      .stroke();
    doc.text(tick.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }), x0 + 8, ty - 3, {
      width: gutter - 12,
      align: 'right',
    });
  }
  doc.save().rotate(-90, { origin: [x0 + 4, y + height / 2] });
  doc.fontSize(8).text(`Value (${currency})`, x0 + 4 - 40, y + height / 2 - 4, { width: 80, align: 'center' });
  doc.restore();
  // Area under the line, then the line.
  doc.moveTo(px(0), y + height - pad);
  series.forEach((p, i) => doc.lineTo(px(i), py(p.value)));
  doc
    .lineTo(px(series.length - 1), y + height - pad)
    .closePath()
    .fillOpacity(0.12)
    .fill(ACCENT);
  doc.fillOpacity(1);
  doc.moveTo(px(0), py(series[0]!.value));
  series.forEach((p, i) => i > 0 && doc.lineTo(px(i), py(p.value)));
  doc.lineWidth(1.5).strokeColor(ACCENT).stroke();
  // Date axis: up to five evenly spaced valued days, first and last included.
  const count = Math.min(5, series.length);
  const indexes = [...new Set(Array.from({ length: count }, (_, k) => Math.round((k * (series.length - 1)) / (count - 1))))];
  doc.font('Helvetica').fontSize(7).fillColor(MUTED);
  for (const i of indexes) {
    const tx = px(i);
    doc
      .moveTo(tx, y + height)
      .lineTo(tx, y + height + 3)
      .lineWidth(0.5)
      .strokeColor(MUTED)
      .stroke();
    const align = i === 0 ? 'left' : i === series.length - 1 ? 'right' : 'center';
    const left = align === 'left' ? tx - 2 : align === 'right' ? tx - 58 : tx - 30;
    doc.text(series[i]!.date, left, y + height + 5, { width: 60, align });
  }
  doc.fontSize(8).text('Date (valued days)', x, y + height + 16, { width, align: 'center' });
  doc.restore();
}
