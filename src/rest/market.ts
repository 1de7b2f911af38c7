/** Market data: quotes, history, fundamentals, news and symbol search. */
import { COST, type RouteSpec } from './route.js';

const QUOTE = 'symbol price currency change changePercent source timestamp';

export const MARKET_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: '/market/quote/:symbol',
    area: 'market',
    summary: 'The latest quote of a symbol (or of one of your custom assets)',
    document: `query($symbol: String!) { quote(symbol: $symbol) { ${QUOTE} } }`,
    result: ['quote'],
    notFound: 'Symbol',
    cost: COST.read,
  },
  {
    method: 'GET',
    path: '/market/quotes',
    area: 'market',
    summary: 'Quotes of up to 100 symbols (`?symbols=AAPL,MSFT`), in the order asked; unknown ones left out',
    document: `query($symbols: [String!]!) { quotes(symbols: $symbols) { ${QUOTE} } }`,
    result: ['quotes'],
    cost: COST.list,
  },
  {
    method: 'POST',
    path: '/market/quotes',
    area: 'market',
    summary: 'Quotes of up to 100 symbols named in the body (`{ "symbols": [...] }`)',
    document: `query($symbols: [String!]!) { quotes(symbols: $symbols) { ${QUOTE} } }`,
    body: ['symbols'],
    result: ['quotes'],
    cost: COST.list,
  },
  {
    method: 'GET',
    path: '/market/historical/:symbol',
    area: 'market',
    summary: 'Daily (or weekly, monthly) OHLCV candles from..to inclusive, oldest first',
    document: `query($symbol: String!, $from: Date!, $to: Date!, $interval: CandleInterval) { history(symbol: $symbol, from: $from, to: $to, interval: $interval) { date open high low close volume } }`,
    result: ['history'],
    cost: COST.list,
  },
  {
    method: 'GET',
    path: '/market/fundamentals/:symbol',
    area: 'market',
    summary: 'Company fundamentals (market cap, P/E, dividend yield, sector)',
    document: `query($symbol: String!) { fundamentals(symbol: $symbol) { symbol name type currency sector marketCap peRatio dividendYield } }`,
    result: ['fundamentals'],
    notFound: 'Symbol',
    cost: COST.read,
  },
  {
    method: 'GET',
    path: '/market/news',
    area: 'market',
    summary: 'Recent news about up to 20 symbols (`?symbols=AAPL,MSFT`; general market news without), newest first',
    document: `query($symbols: [String!], $first: Int) { news(symbols: $symbols, first: $first) { id title source url publishedAt symbols } }`,
    result: ['news'],
    cost: COST.list,
  },
  {
    method: 'GET',
    path: '/market/search',
    area: 'market',
    summary: 'Symbols by ticker or name: exact ticker first, then ticker prefix, then name matches',
    document: `query($q: String!, $first: Int) { searchSymbols(query: $q, first: $first) { symbol name type currency exchange } }`,
    result: ['searchSymbols'],
    cost: COST.read,
  },
];
