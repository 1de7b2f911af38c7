/**
 * The one schema entry: import every domain's types so they register on the builder, then build.
 */
import { lexicographicSortSchema } from 'graphql';
import './graphql/enums.js';
import './auth/index.js';
import './portfolios/index.js';
import './ledger/index.js';
import './market/index.js';
import './analytics/index.js';
import './alerts/index.js';
import './reports/index.js';
import { builder } from './graphql/builder.js';
import { restoreScalarArguments } from './graphql/jit-scalars.js';
import { inlinePlainRelayFields } from './graphql/plain-fields.js';

// After sorting: lexicographicSortSchema copies the fields, so the wrapped resolvers are the ones served.
export const schema = inlinePlainRelayFields(restoreScalarArguments(lexicographicSortSchema(builder.toSchema())));
