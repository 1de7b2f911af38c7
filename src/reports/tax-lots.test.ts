import type { FastifyBaseLogger } from 'fastify';
import { Decimal } from 'decimal.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { startMailbox, type Mailbox } from '../../test/mailbox.js';
import { addInvestment, createPortfolio, ok } from '../../test/portfolios.js';
import { createTestUser } from '../../test/users.js';
import { eventually } from '../../test/ws.js';
import { startNotifyEmailWorker } from '../alerts/index.js';
import { addDays } from '../market/index.js';
import { QUEUE_NAMES, openQueue, type OpenQueue } from '../platform/queues.js';
import { REPORT_JOBS, startReportsWorker } from './index.js';
import { suggestTaxLots, type ValuedLot } from './tax-lots.js';

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
const today = new Date().toISOString().slice(0, 10);

describe('suggestTaxLots (the rule)', () => {
  const lot = (id: string, symbol: string, openedOn: string, cost: string, value: string | null): ValuedLot => ({
    id,
    symbol,
    openedOn,
    quantity: new Decimal(1),
    costBasis: new Decimal(cost),
    marketValue: value === null ? null : new Decimal(value),
  });
  const run = (lots: ValuedLot[], buys: Array<{ id: string; symbol: string; date: string }>, minLoss = '100') =>
    suggestTaxLots({ lots, buys, today: '2026-06-15', minLoss: new Decimal(minLoss), currency: 'USD' }).map((s) => [
      s.lotId,
      s.unrealizedLoss.toFixed(),
    ]);

  it('keeps losses of at least minLoss, largest first; gains, small losses and unpriced lots are left out', () => {
    const lots = [
      lot('a', 'AAA', '2025-01-02', '1000', '850'),
      lot('b', 'BBB', '2025-01-02', '1000', '500'),
      lot('c', 'CCC', '2025-01-02', '1000', '950'),
      lot('d', 'DDD', '2025-01-02', '1000', '1200'),
      lot('e', 'EEE', '2025-01-02', '1000', null),
      lot('f', 'FFF', '2025-01-02', '1000', '900'),
    ];
    expect(run(lots, [])).toEqual([
      ['b', '500'],
      ['a', '150'],
      ['f', '100'],
    ]);
    expect(run(lots, [], '0')).toEqual([
      ['b', '500'],
      ['a', '150'],
      ['f', '100'],
      ['c', '50'],
    ]);
  });

  it('leaves out a lot with another BUY of its symbol within 30 days before or after; its own BUY does not count', () => {
    const lots = [lot('old', 'AAA', '2025-01-02', '1000', '500'), lot('recent', 'AAA', '2026-06-01', '1000', '500')];
    const buys = [{ id: 'recent', symbol: 'AAA', date: '2026-06-01' }];
    // The recent BUY makes selling the old lot a wash sale; the recent lot itself may be sold.
    expect(run(lots, buys)).toEqual([['recent', '500']]);
    // The window's edges: 30 days before and after count, 31 do not.
    for (const [date, conflicts] of [
      ['2026-05-16', true],
      ['2026-05-15', false],
      ['2026-07-15', true],
      ['2026-07-16', false],
    ] as const) {
      const result = run([lot('old', 'AAA', '2025-01-02', '1000', '500')], [{ id: 'other', symbol: 'AAA', date }]);
      expect(result.length === 0, date).toBe(conflicts);
    }
    // Another symbol's BUY is no conflict.
    expect(run([lot('old', 'AAA', '2025-01-02', '1000', '500')], [{ id: 'x', symbol: 'BBB', date: '2026-06-10' }])).toHaveLength(1);
  });

  it('says why, with the holding period', () => {
    const [long] = suggestTaxLots({
      lots: [lot('a', 'AAA', '2025-01-02', '1000', '800')],
      buys: [],
      today: '2026-06-15',
      minLoss: new Decimal(0),
      currency: 'EUR',
    });
    expect(long!.reason).toBe(
      '1 AAA bought 2025-01-02 are 200.00 EUR below cost (20.0 % of its cost), a long-term loss if sold today; no other BUY of AAA from 2026-05-16 to 2026-07-15, so selling now is no wash sale as far as this portfolio shows (purchases in your other portfolios and accounts are not checked).',
    );
  });

  it('counts the holding period as IRS Publication 550 does: on the anniversary the loss is still short term', () => {
    // Bought 2023-06-15: 366 days later, 2024-06-15 (29 February between), it is held one year
    // exactly (the period starts the day after the purchase), not more.
    const [onAnniversary] = suggestTaxLots({
      lots: [lot('a', 'AAA', '2023-06-15', '1000', '800')],
      buys: [],
      today: '2024-06-15',
      minLoss: new Decimal(0),
      currency: 'EUR',
    });
    expect(onAnniversary!.reason).toContain(
      'a short-term loss if sold today (long term only if sold after 2024-06-15, the first anniversary of its purchase)',
    );
  });
});

const SUGGESTIONS = `query($id: ID!, $minLoss: Decimal) { portfolio(id: $id) {
  taxLotSuggestions(minLoss: $minLoss) { symbol lotId quantity unrealizedLoss { amount currency } reason }
  investments(first: 50) { edges { node { id symbol unrealizedGain } } } } }`;

interface SuggestionsAnswer {
  portfolio: {
    taxLotSuggestions: Array<{ symbol: string; lotId: string; quantity: string; unrealizedLoss: { amount: string; currency: string } }>;
    investments: { edges: Array<{ node: { id: string; symbol: string; unrealizedGain: string | null } }> };
  } | null;
}

let mailbox: Mailbox;
let queue: OpenQueue<unknown>;

afterAll(async () => {
  await mailbox?.close();
});
beforeAll(async () => {
  mailbox = await startMailbox();
});
const t = useTestApp(() => ({ env: { SMTP_URL: mailbox.url } }));
beforeAll(async () => {
  queue = openQueue(QUEUE_NAMES.reports, t.config, {});
});
afterAll(async () => {
  await queue?.close();
});

/** A portfolio under water: an old AAPL lot, two MSFT lots (one bought 10 days ago) and a GOOGL lot in profit. */
async function underwater(owner: Awaited<ReturnType<typeof createTestUser>>, name = 'Underwater') {
  const portfolio = await createPortfolio(t, owner, { name, isPublic: true });
  const aapl = await addInvestment(t, owner, portfolio.id, {
    symbol: 'AAPL',
    quantity: '2',
    purchasePrice: '100000',
    purchaseDate: '2025-06-02',
  });
  const msftOld = await addInvestment(t, owner, portfolio.id, {
    symbol: 'MSFT',
    quantity: '1',
    purchasePrice: '100000',
    purchaseDate: '2025-06-02',
  });
  const msftRecent = await addInvestment(t, owner, portfolio.id, {
    symbol: 'MSFT',
    quantity: '3',
    purchasePrice: '100000',
    purchaseDate: addDays(today, -10),
  });
  await addInvestment(t, owner, portfolio.id, { symbol: 'GOOGL', quantity: '1', purchasePrice: '1', purchaseDate: '2025-06-02' });
  return { portfolio, aapl, msftOld, msftRecent };
}

describe('Portfolio.taxLotSuggestions', () => {
  it('lists lots at a loss without a wash-sale conflict, with the losses the valuation fields show', async () => {
    const owner = await createTestUser(t);
    const { portfolio, aapl, msftOld, msftRecent } = await underwater(owner);
    const answer = ok(await t.gql<SuggestionsAnswer>(SUGGESTIONS, { id: portfolio.id }, { token: owner.token })).portfolio!;
    const suggested = answer.taxLotSuggestions;
    // The old MSFT lot is left out: the recent MSFT BUY is within 30 days.
    expect(suggested.map((s) => s.lotId).sort()).toEqual([aapl.id, msftRecent.id].sort());
    expect(suggested.map((s) => s.lotId)).not.toContain(msftOld.id);
    const gainOf = new Map(answer.investments.edges.map((e) => [e.node.id, e.node.unrealizedGain]));
    for (const s of suggested) {
      expect(s.unrealizedLoss.currency).toBe('USD');
      expect(new Decimal(s.unrealizedLoss.amount).negated().toFixed(2)).toBe(new Decimal(gainOf.get(s.lotId)!).toFixed(2));
    }
    // Largest loss first (3 MSFT at 100000 against 2 AAPL at 100000).
    expect(suggested[0]).toMatchObject({ symbol: 'MSFT', lotId: msftRecent.id, quantity: '3' });

    // A threshold above the AAPL loss leaves only MSFT; a negative one is refused.
    const aaplLoss = new Decimal(suggested.find((s) => s.lotId === aapl.id)!.unrealizedLoss.amount);
    const higher = ok(
      await t.gql<SuggestionsAnswer>(SUGGESTIONS, { id: portfolio.id, minLoss: aaplLoss.plus(1).toFixed(2) }, { token: owner.token }),
    );
    expect(higher.portfolio!.taxLotSuggestions.map((s) => s.lotId)).toEqual([msftRecent.id]);
    expect(errorCode(await t.gql(SUGGESTIONS, { id: portfolio.id, minLoss: '-1' }, { token: owner.token }))).toBe('BAD_USER_INPUT');
  });

  it('is for collaborators (VIEW and up): a public reader is refused', async () => {
    const owner = await createTestUser(t);
    const viewer = await createTestUser(t);
    const reader = await createTestUser(t);
    const { portfolio } = await underwater(owner);
    ok(
      await t.gql(
        `mutation($p: ID!, $e: String!) { sharePortfolio(portfolioId: $p, email: $e, permission: VIEW) { permission } }`,
        { p: portfolio.id, e: viewer.email },
        { token: owner.token },
      ),
    );
    const asViewer = ok(await t.gql<SuggestionsAnswer>(SUGGESTIONS, { id: portfolio.id }, { token: viewer.token }));
    expect(asViewer.portfolio!.taxLotSuggestions).toHaveLength(2);
    const asReader = await t.gql(
      `query($id: ID!) { portfolio(id: $id) { name taxLotSuggestions { lotId } } }`,
      { id: portfolio.id },
      { token: reader.token },
    );
    expect(errorCode(asReader)).toBe('FORBIDDEN');
  });
});

describe('the monthly tax-lot review', () => {
  async function run(name: string, data: object, jobId: string) {
    await queue.queue.add(name, data, { jobId });
    return eventually(
      () => queue.queue.getJob(jobId),
      (j) => Boolean(j?.finishedOn),
      30_000,
    );
  }

  it('emails each opted-in owner once per portfolio per month, with two workers and a second run', async () => {
    const owner = await createTestUser(t);
    const optedOut = await createTestUser(t);
    const { portfolio } = await underwater(owner, 'Harvest me');
    const { portfolio: quiet } = await underwater(optedOut, 'Do not email');
    ok(await t.gql(`mutation { updateEmailSettings(input: { taxLotReviews: false }) { taxLotReviews } }`, {}, { token: optedOut.token }));

    const workers = await Promise.all([
      startReportsWorker(t.config, log, { catchUp: false }),
      startReportsWorker(t.config, log, { catchUp: false }),
    ]);
    const mailer = await startNotifyEmailWorker(t.config, log);
    try {
      const month = '2026-12-01';
      // The same month queued twice under different ids (two schedulers, a retry): reviewed once.
      await Promise.all([run(REPORT_JOBS.taxLots, { month }, 'tax-1'), run(REPORT_JOBS.taxLots, { month }, 'tax-2')]);
      const mail = await mailbox.waitFor((m) => m.to.includes(owner.email));
      expect(mail.subject).toBe('Your monthly tax-lot review: Harvest me');
      expect(mail.body).toMatch(/2 lots of Harvest me could be sold to realize/);
      expect(mail.body).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
      expect(mail.body.replace(/\r?\n[ \t]+/g, ' ')).toMatch(/^List-Unsubscribe: <http[^>]+\/email\/unsubscribe\?token=[^>]+>/m);
      await run(REPORT_JOBS.taxLots, { month }, 'tax-3');

      const reviews = await t.app.services.db.taxLotReview.findMany({ where: { portfolioId: { in: [portfolio.id, quiet.id] } } });
      expect(reviews.map((r) => [r.portfolioId, r.suggestions]).sort()).toEqual(
        [
          [portfolio.id, 2],
          [quiet.id, 2],
        ].sort(),
      );
      expect(await t.app.services.db.notification.count({ where: { userId: owner.id, kind: 'TAX_LOT_REVIEW' } })).toBe(1);
      // The opted-out owner gets the in-app notification, not the email.
      expect(await t.app.services.db.notification.count({ where: { userId: optedOut.id, kind: 'TAX_LOT_REVIEW' } })).toBe(1);
      const inspect = openQueue(QUEUE_NAMES.notifyEmail, t.config, {});
      try {
        await eventually(
          async () => (await inspect.queue.getCompleted()).filter((j) => j.id === `tax-lots-${quiet.id}-${month}`),
          (jobs) => jobs.length === 1,
          10_000,
        ).then((jobs) => expect(jobs[0]!.returnvalue).toEqual({ sent: false, reason: 'unsubscribed' }));
      } finally {
        await inspect.close();
      }
      expect(mailbox.messages.filter((m) => m.to.includes(owner.email))).toHaveLength(1);
      expect(mailbox.messages.filter((m) => m.to.includes(optedOut.email))).toHaveLength(0);

      // The next month is a new review.
      await run(REPORT_JOBS.taxLots, { month: '2027-01-01' }, 'tax-4');
      await eventually(
        () => mailbox.messages.filter((m) => m.to.includes(owner.email)).length,
        (n) => n === 2,
        10_000,
      );
    } finally {
      await mailer.close();
      for (const w of workers) await w.close();
    }
  }, 90_000);
});
