/** The REST facade's door: app.ts registers `restRoutes`. */
export { restRoutes, type RestOptions } from './plugin.js';
export { COST as REST_ROUTE_COST } from './route.js';
export { sendError as sendRestError } from './envelope.js';
