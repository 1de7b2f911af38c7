/**
 * The one schema entry: import every domain's types so they register on the builder, then build.
 */
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './enums.js';
import '../auth/schema.js';
import '../portfolios/schema.js';
import '../portfolios/transactions.schema.js';
import '../market/schema.js';
import '../market/fx.schema.js';
import '../market/subscriptions.js';
import '../analytics/schema.js';

export const schema = lexicographicSortSchema(builder.toSchema());
