/**
 * The one schema entry: import every domain's types so they register on the builder, then build.
 */
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import { restoreScalarArguments } from './jit-scalars.js';
import './enums.js';
import '../auth/schema.js';
import '../portfolios/schema.js';
import '../market/schema.js';
import '../market/subscriptions.js';
import '../analytics/schema.js';

// After sorting: lexicographicSortSchema copies the fields, so the wrapped resolvers are the ones served.
export const schema = restoreScalarArguments(lexicographicSortSchema(builder.toSchema()));
