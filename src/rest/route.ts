/**
 * What a REST route is: one GraphQL document run as the caller, with its variables taken from
 * the path, the query string and the body, and its answer taken from one place in `data`. The
 * plugin (./plugin.ts) turns each spec into /api/v1, /api/v2 and /api (Accept-Version) routes
 * with their schemas; one file per area (./auth.ts, ./portfolios.ts, …) lists the specs.
 */
import type { ContextServices } from '../graphql/context.js';
import type { JsonSchema } from './json-schema.js';

export type Area =
  'auth' | 'portfolios' | 'investments' | 'analytics' | 'share' | 'activity' | 'market' | 'tokens' | 'transactions' | 'alerts';

/**
 * Request-budget cost of a route (RATE_LIMIT_COST_PER_MINUTE per caller and minute), whatever
 * its document's complexity: a plain read, a write or sign-in step, a list, a computation over
 * a portfolio's price history. Documented in the REST section of docs/api.md.
 */
export const COST = { read: 5, write: 10, list: 20, compute: 50 } as const;

export interface ListSpec {
  /** `connection`: a Relay connection taking $first/$after; `array`: a plain list, paged here. */
  kind: 'connection' | 'array';
  /** Fields `?sort=` may name (v1), `-` for descending. */
  sort: readonly string[];
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Below /api/v1, /api/v2 and /api, in Fastify's syntax (`/portfolios/:id`); params are variables of the same name. */
  path: string;
  area: Area;
  summary: string;
  /** One GraphQL operation; its variables are named after the path params, query fields and body fields. */
  document: string;
  /** `input`: the JSON body is the `$input` variable; a list: these body fields are variables of their names. */
  body?: 'input' | readonly string[];
  /** Where the answer is in `data` (response keys), e.g. `['portfolio', 'performance']`. */
  result: readonly string[];
  /** NOT_FOUND (this noun) when the first step of `result` is null: a portfolio the caller may not see, an unknown symbol. */
  notFound?: string;
  /** UNAUTHENTICATED when the first step of `result` is null (`me` answers null to anonymous callers). */
  nullIsAnonymous?: boolean;
  /** Answer `{ [wrap]: value }` instead of the bare value (a Boolean mutation's outcome). */
  wrap?: string;
  /** 201 for creations. */
  status?: number;
  cost: number;
  list?: ListSpec;
  /** Anyone may call it (sign-up, sign-in): no bearer token in the description. */
  anonymous?: boolean;
  /** Query parameters written differently from their variable (`targets=AAPL:0.6,MSFT:0.4`). */
  queryText?: Record<string, { schema: JsonSchema; toVariable(text: string): unknown }>;
  /**
   * A child resource named in the path must belong to the `:id` portfolio of the path, else
   * NOT_FOUND (the mutation itself names the child by id alone).
   */
  childOf?: { param: string; noun: string; portfolioOf(services: ContextServices, id: string): Promise<string | null> };
  description?: string;
}
