/** The ledger's GraphQL enums (CostBasisMethod is the portfolio's setting: portfolios' door). */
import { builder } from '../graphql/builder.js';
import { TRANSACTION_TYPES } from './core/engine.js';

export { CostBasisMethodEnum } from '../portfolios/index.js';

export const TransactionTypeEnum = builder.enumType('TransactionType', { values: TRANSACTION_TYPES });
