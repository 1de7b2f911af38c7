/** importTransactions in GraphQL: a transaction file added to an existing portfolio (./transaction-import.ts). */
import { builder } from '../graphql/builder.js';
import { actorOf, onPortfolio } from '../portfolios/index.js';
import { TRANSACTION_FILE_FORMATS, type TransactionImportOutcome } from './transaction-import.js';
import { TransactionRef } from './transactions.schema.js';

const TransactionFileFormatEnum = builder.enumType('TransactionFileFormat', {
  description: "FOLIOGRAPH is our own CSV or JSON; the others are brokers' exports as they download them; AUTO tells them apart.",
  values: TRANSACTION_FILE_FORMATS,
});

const ImportTransactionsInputRef = builder.inputType('ImportTransactionsInput', {
  fields: (t) => ({
    data: t.string({ required: true }),
    format: t.field({ type: TransactionFileFormatEnum, required: true }),
    dryRun: t.boolean({ defaultValue: false, description: 'Check only: report what would be added and skipped, write nothing.' }),
  }),
});

const TransactionImportRef = builder.objectRef<TransactionImportOutcome>('TransactionImport').implement({
  fields: (t) => ({
    format: t.field({
      type: TransactionFileFormatEnum,
      nullable: false,
      description: 'The format the file was read as (AUTO resolved).',
      resolve: (o) => o.format,
    }),
    added: t.exposeInt('added', { nullable: false }),
    skipped: t.exposeInt('skipped', { nullable: false, description: 'Rows already in the portfolio, left as they were.' }),
    transactions: t.field({ type: [TransactionRef], nullable: false, resolve: (o) => o.transactions }),
  }),
});

builder.mutationFields((t) => ({
  importTransactions: t.field({
    type: TransactionImportRef,
    nullable: false,
    description: "Adds a broker's (or our own) transaction file to an existing portfolio; idempotent (README: Ledger).",
    args: { portfolioId: t.arg.id({ required: true }), input: t.arg({ type: ImportTransactionsInputRef, required: true }) },
    authScopes: (_root, { portfolioId }) => onPortfolio(portfolioId, 'EDIT'),
    resolve: (_root, { portfolioId, input }, ctx) => ctx.services.ledger.importTransactions(actorOf(ctx), portfolioId, input),
  }),
}));
