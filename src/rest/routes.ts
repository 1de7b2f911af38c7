/** Every REST route, by area (the order of the OpenAPI document). */
import { ALERT_ROUTES } from './alerts.js';
import { ANALYTICS_ROUTES } from './analytics.js';
import { AUTH_ROUTES } from './auth.js';
import { TRANSACTION_ROUTES } from './ledger.js';
import { MARKET_ROUTES } from './market.js';
import { PORTFOLIO_ROUTES } from './portfolios.js';
import type { RouteSpec } from './route.js';
import { TOKEN_ROUTES } from './tokens.js';

export const REST_ROUTES: readonly RouteSpec[] = [
  ...AUTH_ROUTES,
  ...TOKEN_ROUTES,
  ...PORTFOLIO_ROUTES,
  ...ANALYTICS_ROUTES,
  ...TRANSACTION_ROUTES,
  ...ALERT_ROUTES,
  ...MARKET_ROUTES,
];
