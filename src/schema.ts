/**
 * The one schema entry: import every domain's types so they register on the builder, then build.
 */
import { lexicographicSortSchema } from 'graphql';
import { builder } from './graphql/builder.js';
import './graphql/enums.js';
import './auth/index.js';
import './portfolios/index.js';
import './market/index.js';
import './market/index.js';
import './analytics/index.js';

export const schema = lexicographicSortSchema(builder.toSchema());
