/** A portfolio's ledger: its transactions (BUY, SELL, DIVIDEND, SPLIT, cash, …). */
import { COST, type RouteSpec } from './route.js';

const TRANSACTION =
  'id type date symbol quantity price amount fee currency fxRate splitFrom splitTo toAmount toCurrency costBasisMethod lotIds notes createdAt';

const transactionOf = {
  param: 'transactionId',
  noun: 'Transaction',
  portfolioOf: (services: { ledger: { portfolioOf(id: string): Promise<string | null> } }, id: string) => services.ledger.portfolioOf(id),
};

export const TRANSACTION_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: '/portfolios/:id/transactions',
    area: 'transactions',
    summary: "A portfolio's transactions, newest first; `?symbol=` and `?types=SELL,DIVIDEND` filter",
    document: `query($id: ID!, $first: Int!, $after: String, $symbol: String, $types: [TransactionType!]) { portfolio(id: $id) { transactions(first: $first, after: $after, symbol: $symbol, types: $types) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${TRANSACTION} } } } } }`,
    result: ['portfolio', 'transactions'],
    notFound: 'Portfolio',
    list: { kind: 'connection', sort: ['date', 'type', 'symbol', 'amount', 'createdAt'] },
    cost: COST.list,
  },
  {
    method: 'POST',
    path: '/portfolios/:id/transactions',
    area: 'transactions',
    summary: 'Record a transaction',
    document: `mutation($id: ID!, $input: TransactionInput!) { recordTransaction(portfolioId: $id, input: $input) { ${TRANSACTION} } }`,
    body: 'input',
    result: ['recordTransaction'],
    status: 201,
    cost: COST.write,
  },
  {
    method: 'POST',
    path: '/portfolios/:id/transactions/import',
    area: 'transactions',
    summary:
      "Add a broker's (or our own) transaction file (`{ data, format, dryRun }`, format AUTO tells them apart); rows already imported are skipped",
    document: `mutation($id: ID!, $input: ImportTransactionsInput!) { importTransactions(portfolioId: $id, input: $input) { format added skipped transactions { ${TRANSACTION} externalId } } }`,
    body: 'input',
    result: ['importTransactions'],
    cost: COST.write,
  },
  {
    method: 'PUT',
    path: '/portfolios/:id/transactions/:transactionId',
    area: 'transactions',
    summary: "Replace a transaction's fields (its type stays)",
    document: `mutation($transactionId: ID!, $input: TransactionInput!) { updateTransaction(id: $transactionId, input: $input) { ${TRANSACTION} } }`,
    body: 'input',
    result: ['updateTransaction'],
    childOf: transactionOf,
    cost: COST.write,
  },
  {
    method: 'DELETE',
    path: '/portfolios/:id/transactions/:transactionId',
    area: 'transactions',
    summary: 'Delete a transaction (refused if a later SELL would then oversell)',
    document: `mutation($transactionId: ID!) { deleteTransaction(id: $transactionId) }`,
    result: ['deleteTransaction'],
    wrap: 'deleted',
    childOf: transactionOf,
    cost: COST.write,
  },
];
