/** The ledger's GraphQL enums (shared by the portfolio inputs and the transaction types). */
import { builder } from '../graphql/builder.js';
import { COST_BASIS_METHODS, TRANSACTION_TYPES } from './ledger/engine.js';

export const TransactionTypeEnum = builder.enumType('TransactionType', { values: TRANSACTION_TYPES });

export const CostBasisMethodEnum = builder.enumType('CostBasisMethod', {
  description:
    'How a SELL picks the lots it closes: FIFO (oldest first), LIFO (newest first), HIFO (highest cost per share first) or AVERAGE (one pooled cost per symbol).',
  values: COST_BASIS_METHODS,
});
