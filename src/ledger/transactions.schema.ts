/**
 * The ledger in GraphQL: Transaction, Lot, Holding, RealizedGainReport and Money, the Portfolio
 * fields that read the ledger (transactions, lots, holdings, realizedGains, cashBalances,
 * costBasisMethod) and the mutations that write it (recordTransaction, updateTransaction,
 * deleteTransaction: EDIT and up, like investments).
 *
 * The ledger is replayed once per request and portfolio (and per what-if method), in two SQL
 * statements whatever its size; holdings add one batched quote lookup. Money is in the
 * portfolio's base currency, each transaction at its own fxRate; amounts are printed to 8
 * decimal places (divisions such as cost per share are exact to 64 digits before that).
 */
import { isoDateOf } from '../platform/dates.js';
import { Decimal } from 'decimal.js';
import { builder } from '../graphql/builder.js';
import { checkedPageSize } from '../graphql/connection-args.js';
import { perRequest, type Context } from '../graphql/context.js';
import { quoteLoader } from '../market/index.js';
import { notFound } from '../platform/errors.js';
import { resolveAssets } from './assets.js';
import { holdingsOf, realizedBetween, cashBalancesOf, type CostBasisMethod, type Lot, type RealizedGain } from './core/engine.js';
import { formatFixed } from './core/fixed.js';
import { CostBasisMethodEnum, TransactionTypeEnum } from './enums.js';
import type { LedgerView } from './service.js';
import { actorOf, onPortfolio, PortfolioRef, type PortfolioRole } from '../portfolios/index.js';

const OUTPUT_PLACES = 8;
/** A figure as printed: 8 decimal places, half-even (the ledger's fixed-point figures print without decimal.js). */
const out = (value: Decimal | bigint): Decimal | string =>
  typeof value === 'bigint' ? formatFixed(value, OUTPUT_PLACES) : value.toDecimalPlaces(OUTPUT_PLACES, Decimal.ROUND_HALF_EVEN);

/** The ledger replayed, once per request, portfolio and method. */
function ledgerView(ctx: Context, portfolioId: string, method: CostBasisMethod | null = null): Promise<LedgerView> {
  const memo = perRequest(ctx, LEDGER_VIEWS, () => new Map<string, Promise<LedgerView>>());
  const key = `${portfolioId}|${method ?? ''}`;
  let view = memo.get(key);
  if (!view) {
    view = ctx.services.ledger.view(portfolioId, method).then((v) => {
      if (!v) throw notFound('Portfolio');
      return v;
    });
    memo.set(key, view);
  }
  return view;
}
const LEDGER_VIEWS = Symbol('portfolios.ledgerViews');

// ---------------------------------------------------------------------------------- types

interface MoneyValue {
  amount: Decimal | bigint;
  currency: string;
}
interface DecimalMoney extends MoneyValue {
  amount: Decimal;
}

export const MoneyRef = builder.objectRef<MoneyValue>('Money').implement({
  description: 'An amount in a currency.',
  fields: (t) => ({
    amount: t.field({ type: 'Decimal', nullable: false, resolve: (m) => out(m.amount) }),
    currency: t.exposeString('currency', { nullable: false }),
  }),
});

export const TransactionRef = builder.prismaObject('Transaction', {
  authScopes: (transaction) => onPortfolio(transaction.portfolioId, 'PUBLIC'),
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    type: t.expose('type', { type: TransactionTypeEnum, nullable: false }),
    date: t.expose('date', { type: 'Date', nullable: false }),
    symbol: t.exposeString('symbol', { nullable: true }),
    quantity: t.expose('quantity', { type: 'Decimal', nullable: true }),
    price: t.expose('price', { type: 'Decimal', nullable: true }),
    amount: t.expose('amount', {
      type: 'Decimal',
      nullable: false,
      description: 'Cash moved, in `currency`, before fee and tax (quantity × price for BUY/SELL).',
    }),
    fee: t.expose('fee', { type: 'Decimal', nullable: false, description: 'Fees paid; for DIVIDEND and INTEREST, the tax withheld.' }),
    currency: t.exposeString('currency', { nullable: false }),
    externalId: t.exposeString('externalId', {
      nullable: true,
      description: "The broker's own id of this transaction, when it was imported with one.",
    }),
    fxRate: t.field({
      type: 'Decimal',
      nullable: false,
      description: "Units of the portfolio's base currency per unit of `currency` on `date`.",
      // Stored on nearly every row; the portfolio is read only for one without (a migrated
      // investment in a foreign currency), so a dry run's rows (rolled back) print theirs.
      resolve: async (transaction, _args, ctx) => {
        if (transaction.fxRate !== null) return transaction.fxRate;
        const portfolio = await ctx.services.db.portfolio.findUnique({
          where: { id: transaction.portfolioId },
          select: { baseCurrency: true },
        });
        if (!portfolio) return '1';
        return (await ctx.services.ledger.baseRate(transaction.currency, portfolio.baseCurrency, isoDateOf(transaction.date))) ?? '1';
      },
    }),
    splitFrom: t.expose('splitFrom', { type: 'Decimal', nullable: true }),
    splitTo: t.expose('splitTo', { type: 'Decimal', nullable: true }),
    lotIds: t.exposeIDList('lotIds', {
      nullable: false,
      description: 'SELL / TRANSFER_OUT: the lots it closes, as named when recorded (empty: by the cost basis method).',
    }),
    toAmount: t.expose('toAmount', { type: 'Decimal', nullable: true, description: 'CONVERSION: what arrives, in `toCurrency`.' }),
    toCurrency: t.exposeString('toCurrency', { nullable: true }),
    costBasisMethod: t.expose('costBasisMethod', {
      type: CostBasisMethodEnum,
      nullable: true,
      description: 'A SELL: the method that chose its lots when it was recorded (null when it named lotIds).',
    }),
    notes: t.exposeString('notes', {
      nullable: true,
      description: 'Collaborators (VIEW and up) only; null for a public reader.',
      authScopes: (transaction) => onPortfolio(transaction.portfolioId, 'VIEW'),
      unauthorizedResolver: () => null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: false }),
  }),
});

interface LotValue {
  lot: Lot;
}

const LotRef = builder.objectRef<LotValue>('Lot').implement({
  description: 'Shares opened by one BUY or TRANSFER_IN (its id), split-adjusted.',
  fields: (t) => ({
    id: t.id({ nullable: false, resolve: ({ lot }) => lot.id }),
    symbol: t.string({ nullable: false, resolve: ({ lot }) => lot.symbol }),
    openedOn: t.field({ type: 'Date', nullable: false, resolve: ({ lot }) => lot.openedOn }),
    quantity: t.field({ type: 'Decimal', nullable: false, resolve: ({ lot }) => out(lot.quantityFixed) }),
    remainingQuantity: t.field({ type: 'Decimal', nullable: false, resolve: ({ lot }) => out(lot.remainingFixed) }),
    costPerShare: t.field({
      type: 'Decimal',
      nullable: false,
      description: "(amount + fee) / quantity in the lot's currency, split-adjusted; under AVERAGE, the pooled cost.",
      resolve: ({ lot }) => out(lot.costPerShareFixed),
    }),
    currency: t.string({ nullable: false, resolve: ({ lot }) => lot.currency }),
    closedOn: t.field({
      type: 'Date',
      nullable: true,
      description: 'When its last share was sold or moved out.',
      resolve: ({ lot }) => lot.closedOn,
    }),
  }),
});

interface HoldingValue {
  symbol: string;
  name: string;
  quantity: Decimal;
  currency: string;
  averageCost: Decimal;
  costBasis: DecimalMoney;
  marketValue: DecimalMoney | null;
  unrealizedGain: DecimalMoney | null;
  weight: number | null;
}

const HoldingRef = builder.objectRef<HoldingValue>('Holding').implement({
  description: 'An open position: every open lot of one symbol.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { nullable: false }),
    name: t.exposeString('name', { nullable: false }),
    quantity: t.field({ type: 'Decimal', nullable: false, resolve: (h) => out(h.quantity) }),
    currency: t.exposeString('currency', { nullable: false, description: 'The currency its lots were bought in (averageCost is in it).' }),
    averageCost: t.field({
      type: 'Decimal',
      nullable: false,
      description: 'Cost per share of the open lots, in `currency`.',
      resolve: (h) => out(h.averageCost),
    }),
    costBasis: t.field({
      type: MoneyRef,
      nullable: false,
      description: "Base currency, at each lot's own rate.",
      resolve: (h) => h.costBasis,
    }),
    marketValue: t.field({
      type: MoneyRef,
      nullable: true,
      description: "Base currency at today's rate; null without a quote.",
      resolve: (h) => h.marketValue,
    }),
    unrealizedGain: t.field({ type: MoneyRef, nullable: true, resolve: (h) => h.unrealizedGain }),
    weight: t.exposeFloat('weight', {
      nullable: true,
      description: "Share of the portfolio's value (holdings at market value, or cost without a quote, plus cash); null when that is 0.",
    }),
  }),
});

const RealizedGainRef = builder.objectRef<{ item: RealizedGain; currency: string }>('RealizedGain').implement({
  fields: (t) => ({
    symbol: t.string({ nullable: false, resolve: ({ item }) => item.symbol }),
    lotId: t.id({ nullable: false, resolve: ({ item }) => item.lotId }),
    sellId: t.id({ nullable: false, description: 'The SELL that closed it.', resolve: ({ item }) => item.sellId }),
    openedOn: t.field({ type: 'Date', nullable: false, resolve: ({ item }) => item.openedOn }),
    closedOn: t.field({ type: 'Date', nullable: false, resolve: ({ item }) => item.closedOn }),
    quantity: t.field({ type: 'Decimal', nullable: false, resolve: ({ item }) => out(item.quantityFixed) }),
    proceeds: t.field({ type: MoneyRef, nullable: false, resolve: ({ item, currency }) => ({ amount: item.proceedsFixed, currency }) }),
    costBasis: t.field({ type: MoneyRef, nullable: false, resolve: ({ item, currency }) => ({ amount: item.costBasisFixed, currency }) }),
    gain: t.field({ type: MoneyRef, nullable: false, resolve: ({ item, currency }) => ({ amount: item.gainFixed, currency }) }),
    longTerm: t.boolean({
      nullable: false,
      description:
        'Sold after the first anniversary of the purchase (IRS Publication 550: the holding period starts the day after the purchase; a sale on the anniversary is short term).',
      resolve: ({ item }) => item.longTerm,
    }),
  }),
});

interface RealizedReportValue {
  method: CostBasisMethod;
  from: string;
  to: string;
  currency: string;
  total: Decimal;
  shortTerm: Decimal;
  longTerm: Decimal;
  items: readonly RealizedGain[];
}

const RealizedGainReportRef = builder.objectRef<RealizedReportValue>('RealizedGainReport').implement({
  fields: (t) => ({
    method: t.expose('method', { type: CostBasisMethodEnum, nullable: false }),
    from: t.field({ type: 'Date', nullable: false, resolve: (r) => r.from }),
    to: t.field({ type: 'Date', nullable: false, resolve: (r) => r.to }),
    total: t.field({ type: MoneyRef, nullable: false, resolve: (r) => ({ amount: r.total, currency: r.currency }) }),
    shortTerm: t.field({ type: MoneyRef, nullable: false, resolve: (r) => ({ amount: r.shortTerm, currency: r.currency }) }),
    longTerm: t.field({ type: MoneyRef, nullable: false, resolve: (r) => ({ amount: r.longTerm, currency: r.currency }) }),
    items: t.field({ type: [RealizedGainRef], nullable: false, resolve: (r) => r.items.map((item) => ({ item, currency: r.currency })) }),
  }),
});

// ---------------------------------------------------------------------------------- portfolio fields

const today = () => isoDateOf(new Date());
const NEWEST_FIRST = [{ date: 'desc' as const }, { createdAt: 'desc' as const }, { id: 'desc' as const }];

async function holdingsValue(ctx: Context, portfolio: { id: string; ownerId: string }): Promise<HoldingValue[]> {
  const view = await ledgerView(ctx, portfolio.id);
  const base = view.baseCurrency;
  const summaries = holdingsOf(view.state, base);
  const [assets, quotes] = await Promise.all([
    resolveAssets(
      ctx.services.db,
      portfolio.ownerId,
      summaries.map((h) => h.symbol),
    ),
    Promise.all(summaries.map((h) => quoteLoader(ctx).load({ symbol: h.symbol, ownerId: portfolio.ownerId }))),
  ]);
  const date = today();
  const rates = new Map<string, string | null>();
  for (const currency of new Set([
    ...quotes.flatMap((q) => (q ? [q.currency] : [])),
    ...cashBalancesOf(view.state).map((c) => c.currency),
  ])) {
    rates.set(currency, await ctx.services.ledger.baseRate(currency, base, date));
  }
  const holdings = summaries.map((h, i): HoldingValue => {
    const quote = quotes[i];
    const rate = quote ? rates.get(quote.currency) : null;
    const marketValue = quote && rate ? h.quantity.times(quote.price).times(rate) : null;
    return {
      symbol: h.symbol,
      name: assets.get(h.symbol)?.name ?? h.symbol,
      quantity: h.quantity,
      currency: h.currency,
      averageCost: h.averageCost,
      costBasis: { amount: h.costBasis, currency: base },
      marketValue: marketValue && { amount: marketValue, currency: base },
      unrealizedGain: marketValue && { amount: marketValue.minus(h.costBasis), currency: base },
      weight: null,
    };
  });
  let total = new Decimal(0);
  for (const h of holdings) total = total.plus((h.marketValue ?? h.costBasis).amount);
  for (const cash of cashBalancesOf(view.state)) total = total.plus(cash.amount.times(rates.get(cash.currency) ?? 1));
  if (!total.isZero()) for (const h of holdings) h.weight = (h.marketValue ?? h.costBasis).amount.div(total).toNumber();
  return holdings;
}

builder.prismaObjectFields(PortfolioRef, (t) => ({
  costBasisMethod: t.expose('costBasisMethod', { type: CostBasisMethodEnum, nullable: false }),

  transactions: t.relatedConnection(
    'transactions',
    {
      nullable: false,
      description: 'The ledger, newest first (by date, then as recorded); filtered by type and symbol.',
      args: { types: t.arg({ type: [TransactionTypeEnum] }), symbol: t.arg.string() },
      cursor: 'id',
      totalCount: true,
      maxSize: checkedPageSize,
      query: ({ types, symbol }) => ({
        where: {
          ...(types?.length ? { type: { in: types } } : {}),
          ...(symbol ? { symbol: symbol.trim().toUpperCase() } : {}),
        },
        orderBy: NEWEST_FIRST,
      }),
    },
    { name: 'TransactionConnection' },
    { name: 'TransactionEdge' },
  ),

  lots: t.field({
    type: [LotRef],
    nullable: false,
    description: 'Lots in the order they were opened: open ones, and closed ones too with includeClosed.',
    args: { symbol: t.arg.string(), includeClosed: t.arg.boolean() },
    resolve: async (portfolio, { symbol, includeClosed }, ctx) => {
      const wanted = symbol?.trim().toUpperCase();
      const { state } = await ledgerView(ctx, portfolio.id);
      return state.lots.filter((lot) => (!wanted || lot.symbol === wanted) && (includeClosed || lot.isOpen)).map((lot) => ({ lot }));
    },
  }),

  holdings: t.field({
    type: [HoldingRef],
    nullable: false,
    description: 'Open positions, in base currency.',
    select: { ownerId: true },
    resolve: (portfolio, _args, ctx) => holdingsValue(ctx, portfolio),
  }),

  realizedGains: t.field({
    type: RealizedGainReportRef,
    nullable: false,
    description:
      'Gains of the lot parts SELLs closed from `from` to `to` (inclusive), in base currency, each SELL by the method recorded with it (or the lots it named). With `method`, every SELL is closed by that method instead (what-if), ignoring the methods recorded and the lots named.',
    args: { from: t.arg({ type: 'Date' }), to: t.arg({ type: 'Date' }), method: t.arg({ type: CostBasisMethodEnum }) },
    resolve: async (portfolio, { from, to, method }, ctx) => {
      const view = await ledgerView(ctx, portfolio.id, method ?? null);
      const report = realizedBetween(view.state, from ?? null, to ?? null);
      const firstTrade = view.state.realized[0]?.closedOn ?? view.state.lots[0]?.openedOn ?? today();
      return { method: view.method, from: from ?? firstTrade, to: to ?? today(), currency: view.baseCurrency, ...report };
    },
  }),

  cashBalances: t.field({
    type: [MoneyRef],
    nullable: false,
    description: 'Cash per currency, when the ledger tracks cash (it has a DEPOSIT or WITHDRAWAL); empty otherwise.',
    resolve: async (portfolio, _args, ctx) => cashBalancesOf((await ledgerView(ctx, portfolio.id)).state),
  }),
}));

// ---------------------------------------------------------------------------------- mutations

export const TransactionInputRef = builder.inputType('TransactionInput', {
  fields: (t) => ({
    type: t.field({ type: TransactionTypeEnum, required: true }),
    date: t.field({ type: 'Date', required: true }),
    symbol: t.string({ description: 'Required for trades, DIVIDEND and SPLIT; none for DEPOSIT and WITHDRAWAL.' }),
    quantity: t.field({ type: 'Decimal' }),
    price: t.field({ type: 'Decimal' }),
    amount: t.field({ type: 'Decimal', description: 'Cash transactions: the gross amount. Trades: quantity × price (may be left out).' }),
    fee: t.field({ type: 'Decimal', description: 'Fees; for DIVIDEND and INTEREST, the tax withheld. 0 when omitted.' }),
    currency: t.string({
      description: "ISO 4217 or a minor unit (GBp, GBX, ZAc, ILA); the asset's currency (cash: the base currency) when omitted.",
    }),
    fxRate: t.field({ type: 'Decimal', description: 'Units of base currency per unit of `currency`; the rate of `date` when omitted.' }),
    splitFrom: t.field({ type: 'Decimal' }),
    splitTo: t.field({ type: 'Decimal' }),
    lotIds: t.idList({
      description: "For a SELL: the lots to close, in this order (specific identification); else the portfolio's method.",
    }),
    externalId: t.string({ description: "The broker's own id: an import of a file with this id skips the row." }),
    toAmount: t.field({ type: 'Decimal', description: 'CONVERSION: what arrives, in `toCurrency`.' }),
    toCurrency: t.string({ description: 'CONVERSION: the currency that arrives (ISO 4217 or a minor unit).' }),
    notes: t.string(),
  }),
});

/** A transaction's portfolio for its mutation's scope: no such transaction is NOT_FOUND, like no access. */
async function onTransaction(ctx: Context, id: string, atLeast: PortfolioRole) {
  const portfolioId = await ctx.services.ledger.portfolioOf(id);
  if (!portfolioId) throw notFound('Transaction');
  return onPortfolio(portfolioId, atLeast);
}

builder.mutationFields((t) => ({
  recordTransaction: t.prismaField({
    type: 'Transaction',
    nullable: false,
    args: { portfolioId: t.arg.id({ required: true }), input: t.arg({ type: TransactionInputRef, required: true }) },
    authScopes: (_root, { portfolioId }) => onPortfolio(portfolioId, 'EDIT'),
    resolve: (_query, _root, { portfolioId, input }, ctx) => ctx.services.ledger.record(actorOf(ctx), portfolioId, input),
  }),

  updateTransaction: t.prismaField({
    type: 'Transaction',
    nullable: false,
    description:
      "Replaces the transaction's fields (its type stays); refused if the ledger would no longer hold (a later SELL overselling).",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: TransactionInputRef, required: true }) },
    authScopes: (_root, { id }, ctx) => onTransaction(ctx, id, 'EDIT'),
    resolve: (_query, _root, { id, input }, ctx) => ctx.services.ledger.update(actorOf(ctx), id, input),
  }),

  deleteTransaction: t.boolean({
    nullable: false,
    description: 'Deletes the transaction (a BUY with its investment); refused if a later SELL would then oversell.',
    args: { id: t.arg.id({ required: true }) },
    authScopes: (_root, { id }, ctx) => onTransaction(ctx, id, 'EDIT'),
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.ledger.delete(actorOf(ctx), id);
      return true;
    },
  }),
}));
