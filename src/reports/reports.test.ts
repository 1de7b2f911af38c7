import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { startMailbox, type Mailbox } from '../../test/mailbox.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { eventually } from '../../test/ws.js';
import { startNotifyEmailWorker } from '../alerts/index.js';
import { PROJECT_ROOT } from '../platform/paths.js';
import { QUEUE_NAMES, openQueue, type OpenQueue } from '../platform/queues.js';
import { formatPercent, formatRatio, REPORT_JOBS, reportAttachment, startReportsWorker } from './index.js';

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

let mailbox: Mailbox;
let queue: OpenQueue<unknown>;
let owner: TestUser;
const portfolioIds: string[] = [];

afterAll(async () => {
  await mailbox?.close();
});
beforeAll(async () => {
  mailbox = await startMailbox();
}, 30_000);
const t = useTestApp(() => ({ env: { SMTP_URL: mailbox.url } }));
beforeAll(async () => {
  queue = openQueue(QUEUE_NAMES.reports, t.config, {});
  owner = await createTestUser(t);
  for (let i = 0; i < 5; i++) {
    const p = await createPortfolio(t, owner, { name: `Portfolio ${i}` });
    await addInvestment(t, owner, p.id, { symbol: 'AAPL', quantity: String(i + 1), purchasePrice: '150', purchaseDate: '2024-01-02' });
    if (i % 2 === 0)
      await addInvestment(t, owner, p.id, { symbol: 'MSFT', quantity: '3', purchasePrice: '300', purchaseDate: '2024-02-01' });
    portfolioIds.push(p.id);
  }
}, 30_000);
afterAll(async () => {
  await queue?.close();
});

async function completed(jobId: string, timeoutMs = 20_000) {
  const job = await eventually(
    () => queue.queue.getJob(jobId),
    (j) => Boolean(j?.finishedOn),
    timeoutMs,
  );
  return job!;
}

const SNAPSHOTS = `query($id: ID!, $from: Date, $to: Date) { portfolio(id: $id) { snapshots(from: $from, to: $to) { date value cost currency } } }`;
const HISTORY = `query($s: String!, $d: Date!) { history(symbol: $s, from: $d, to: $d) { date close } }`;

describe('daily snapshots', () => {
  it('values every portfolio at the close; running the day twice changes nothing', async () => {
    const worker = await startReportsWorker(t.config, log, { catchUp: false, batchSize: 2 });
    try {
      const date = '2024-06-12';
      await queue.queue.add(REPORT_JOBS.snapshot, { date }, { jobId: 'snap-1' });
      expect((await completed('snap-1')).returnvalue).toMatchObject({ portfolios: 5, written: 5 });
      const before = await t.app.services.db.portfolioSnapshot.findMany({ orderBy: { portfolioId: 'asc' } });
      expect(before).toHaveLength(5);

      await queue.queue.add(REPORT_JOBS.snapshot, { date }, { jobId: 'snap-2' });
      expect((await completed('snap-2')).returnvalue).toMatchObject({ portfolios: 5, written: 0 });
      expect(await t.app.services.db.portfolioSnapshot.findMany({ orderBy: { portfolioId: 'asc' } })).toEqual(before);

      // The value is quantity × that day's close, as the API's history shows it.
      const close = async (symbol: string) =>
        Number(ok(await t.gql<any>(HISTORY, { s: symbol, d: date }, { token: owner.token })).history[0].close);
      const [aapl, msft] = [await close('AAPL'), await close('MSFT')];
      const listed = ok(await t.gql<any>(SNAPSHOTS, { id: portfolioIds[2], from: '2024-06-01', to: '2024-06-30' }, { token: owner.token }))
        .portfolio.snapshots;
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ date, currency: 'USD', cost: '1350' });
      expect(Number(listed[0].value)).toBeCloseTo(3 * aapl + 3 * msft, 6);
      const stranger = await createTestUser(t);
      expect(ok(await t.gql<any>(SNAPSHOTS, { id: portfolioIds[2] }, { token: stranger.token })).portfolio).toBeNull();
      expect(
        errorCode(await t.gql<any>(SNAPSHOTS, { id: portfolioIds[2], from: '2024-07-01', to: '2024-06-01' }, { token: owner.token })),
      ).toBe('BAD_USER_INPUT');
    } finally {
      await worker.close();
    }
  }, 60_000);

  it('a job whose worker process is killed mid-run is taken over, resumes after the last batch and completes once', async () => {
    const date = '2024-06-13';
    // One process (tsx's own binary would run the script in a child of its own, which SIGKILL would miss).
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/crashing-reports-worker.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: t.config.DATABASE_URL,
        REDIS_URL: t.config.REDIS_URL,
        REDIS_PREFIX: t.config.REDIS_PREFIX,
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await eventually(
        () => output,
        (o) => o.includes('ready'),
        30_000,
      );
      await queue.queue.add(REPORT_JOBS.snapshot, { date }, { jobId: 'snap-killed' });
      await eventually(
        () => output,
        (o) => o.includes('batch 2'),
        20_000,
      );
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(await t.app.services.db.portfolioSnapshot.count({ where: { date: new Date(`${date}T00:00:00Z`) } })).toBe(2);

    const rescuer = await startReportsWorker(t.config, log, { catchUp: false, batchSize: 2, lockDurationMs: 1000, stalledIntervalMs: 500 });
    try {
      const job = await completed('snap-killed', 45_000);
      // Resumed from the saved cursor: the two written before the crash count once, the rest once.
      expect(job.returnvalue).toMatchObject({ portfolios: 5, written: 5 });
      expect(await t.app.services.db.portfolioSnapshot.count({ where: { date: new Date(`${date}T00:00:00Z`) } })).toBe(5);
      expect((await queue.queue.getCompleted()).filter((j) => j.id === 'snap-killed')).toHaveLength(1);
    } finally {
      await rescuer.close();
    }
  }, 150_000);
});

describe('risk report PDF', () => {
  const PERIOD = { from: '2024-06-03', to: '2024-06-28' };
  const FIGURES = `query($id: ID!, $from: Date, $to: Date) { portfolio(id: $id) {
    performance(from: $from, to: $to) { timeWeightedReturn series { date value } }
    risk(from: $from, to: $to) { volatility sharpeRatio maxDrawdown valueAtRisk beta benchmark } } }`;
  const GENERATE = `mutation($id: ID!, $from: Date, $to: Date) { generateReport(portfolioId: $id, from: $from, to: $to) { id kind from to downloadUrl } }`;

  it('shows the API figures in its text, draws a page that is not blank, and is served with the portfolio access rules', async () => {
    const id = portfolioIds[4]!;
    const report = ok(await t.gql<any>(GENERATE, { id, ...PERIOD }, { token: owner.token })).generateReport;
    expect(report).toMatchObject({ kind: 'RISK', ...PERIOD });
    const url = new URL(report.downloadUrl);
    expect(url.pathname).toBe(`/reports/${report.id}`);

    const download = await t.app.inject({ method: 'GET', url: url.pathname, headers: { authorization: `Bearer ${owner.token}` } });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'foliograph-report-'));
    const file = join(dir, 'report.pdf');
    writeFileSync(file, download.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });

    const figures = ok(await t.gql<any>(FIGURES, { id, ...PERIOD }, { token: owner.token })).portfolio;
    expect(figures.risk.volatility).not.toBeNull();
    expect(text).toContain('Portfolio 4');
    expect(text).toContain(`${PERIOD.from} to ${PERIOD.to}`);
    expect(text).toMatch(new RegExp(`Time-weighted return\\s+${escape(formatPercent(figures.performance.timeWeightedReturn))}`));
    expect(text).toMatch(new RegExp(`Volatility \\(annual\\)\\s+${escape(formatPercent(figures.risk.volatility))}`));
    expect(text).toMatch(new RegExp(`Sharpe ratio\\s+${escape(formatRatio(figures.risk.sharpeRatio))}`));
    expect(text).toMatch(new RegExp(`Maximum drawdown\\s+${escape(formatPercent(figures.risk.maxDrawdown))}`));
    expect(text).toMatch(new RegExp(`Value at risk \\(95%, 1 day\\)\\s+${escape(formatPercent(figures.risk.valueAtRisk))}`));
    expect(text).toMatch(/AAPL\s+\d+\.\d\d%/);
    expect(text).toContain('Top movers');
    // Readable: start and end values, the period's income and realized gains, a dated allocation,
    // the benchmark's source, labelled axes with more ticks than min and max.
    const series = figures.performance.series;
    const first = series[0];
    const last = series[series.length - 1];
    expect(text).toMatch(new RegExp(`Value at start \\(${first.date}\\)\\s+${escape(Number(first.value).toFixed(2))} USD`));
    expect(text).toMatch(new RegExp(`Value at end \\(${last.date}\\)\\s+${escape(Number(last.value).toFixed(2))} USD`));
    expect(text).toMatch(/Realized gains \(short term \/ long term\)\s+0\.00 USD/);
    expect(text).toMatch(/Dividends \(gross\)\s+0\.00 USD/);
    expect(text).toMatch(/Fees\s+0\.00 USD/);
    expect(text).toMatch(/Allocation as of \d{4}-\d{2}-\d{2}/);
    expect(figures.risk.benchmark).toBe('SPY');
    expect(text).toContain('Beta is measured against SPY, from simulated prices (not market data).');
    expect(text).toContain('Value (USD)');
    expect(text).toContain('Date (valued days)');
    const dateTicks = new Set(text.match(/2024-06-\d\d/g));
    expect(dateTicks.size).toBeGreaterThanOrEqual(4);
    const valueTicks = text.match(/^\s*\d{1,3}(,\d{3})*(\.\d\d)?\s*$/gm) ?? [];
    expect(valueTicks.length).toBeGreaterThanOrEqual(3);

    // Rendered at low resolution as greyscale: a good share of the page is ink (chart, text).
    execFileSync('pdftoppm', ['-r', '20', '-gray', '-f', '1', '-l', '1', file, join(dir, 'page')]);
    const pgm = readFileSync(join(dir, 'page-1.pgm'));
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString('latin1'))!;
    const pixels = pgm.subarray(header[0].length);
    const inked = pixels.filter((v) => v < 200).length / pixels.length;
    expect(inked).toBeGreaterThan(0.01);

    // Same rules as the portfolio's reports: a viewer may, a stranger learns nothing, anonymous must sign in.
    const viewer = await createTestUser(t);
    ok(
      await t.gql(
        `mutation($p: ID!, $e: String!) { sharePortfolio(portfolioId: $p, email: $e, permission: VIEW) { id } }`,
        { p: id, e: viewer.email },
        { token: owner.token },
      ),
    );
    expect(
      (await t.app.inject({ method: 'GET', url: url.pathname, headers: { authorization: `Bearer ${viewer.token}` } })).statusCode,
    ).toBe(200);
    const stranger = await createTestUser(t);
    expect(
      (await t.app.inject({ method: 'GET', url: url.pathname, headers: { authorization: `Bearer ${stranger.token}` } })).statusCode,
    ).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: url.pathname })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/reports/not-an-id', headers: { authorization: `Bearer ${owner.token}` } })).statusCode,
    ).toBe(404);

    const listed = ok(
      await t.gql<any>(
        `query($id: ID!) { portfolio(id: $id) { reports { totalCount edges { node { id } } } } }`,
        { id },
        { token: viewer.token },
      ),
    );
    expect(listed.portfolio.reports).toMatchObject({ totalCount: 1, edges: [{ node: { id: report.id } }] });
  }, 60_000);

  it('the weekly job makes one report per portfolio, notifies and emails opted-in owners with the PDF, and twice is once', async () => {
    const quiet = await createTestUser(t);
    const theirs = await createPortfolio(t, quiet, { name: 'Quiet one' });
    await addInvestment(t, quiet, theirs.id, { symbol: 'MSFT', quantity: '1', purchasePrice: '300', purchaseDate: '2024-01-02' });
    ok(await t.gql(`mutation { updateEmailSettings(input: { weeklyReports: false }) { weeklyReports } }`, {}, { token: quiet.token }));

    const worker = await startReportsWorker(t.config, log, { catchUp: false });
    const mailer = await startNotifyEmailWorker(t.config, log, undefined, reportAttachment);
    try {
      const week = { from: '2024-06-03', to: '2024-06-09' };
      await queue.queue.add(REPORT_JOBS.weekly, week, { jobId: 'weekly-1' });
      expect((await completed('weekly-1', 60_000)).returnvalue).toMatchObject({ ...week, created: 6 });
      await queue.queue.add(REPORT_JOBS.weekly, week, { jobId: 'weekly-2' });
      expect((await completed('weekly-2', 60_000)).returnvalue).toMatchObject({ created: 0 });
      expect(await t.app.services.db.report.count({ where: { kind: 'WEEKLY_RISK' } })).toBe(6);
      expect(await t.app.services.db.notification.count({ where: { userId: owner.id, kind: 'REPORT' } })).toBe(5);

      const mail = await mailbox.waitFor((m) => m.to.includes(owner.email) && m.subject.includes('weekly risk report'));
      expect(mail.body).toContain('application/pdf');
      await eventually(
        () => mailbox.messages.filter((m) => m.to.includes(owner.email)).length,
        (n) => n === 5,
        20_000,
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(mailbox.messages.filter((m) => m.to.includes(quiet.email))).toHaveLength(0);
      expect(await t.app.services.db.notification.count({ where: { userId: quiet.id, kind: 'REPORT' } })).toBe(1);
    } finally {
      await mailer.close();
      await worker.close();
    }
  }, 120_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
