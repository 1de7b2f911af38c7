/** PortfolioChange.transaction (the type is portfolios'; transactions are the ledger's). */
import { builder } from '../graphql/builder.js';
import { PortfolioChangeRef } from '../portfolios/index.js';
import { TransactionRef } from './transactions.schema.js';

builder.objectField(PortfolioChangeRef, 'transaction', (t) =>
  t.field({
    type: TransactionRef,
    nullable: true,
    description: 'The transaction it recorded or updated; null when deleted or not about one.',
    resolve: (change, _args, ctx) =>
      change.transactionId ? ctx.services.db.transaction.findUnique({ where: { id: change.transactionId } }) : null,
  }),
);
