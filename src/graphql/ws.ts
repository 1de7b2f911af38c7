/**
 * GraphQL subscriptions over WebSocket at `/graphql`, subprotocol `graphql-transport-ws`, served
 * by the `graphql-ws` package's own server (Mercurius' subscription support does not follow the
 * protocol's close codes). It shares the HTTP server: Mercurius answers GET/POST /graphql, the
 * 'upgrade' requests for /graphql come here.
 *
 * Close codes (graphql-ws' CloseCode; the protocol's own cases are handled by graphql-ws):
 * - 4400 bad or unknown message, 4401 subscribe before connection_ack, 4408 no connection_init
 *   in time, 4409 a subscription id already in use, 4429 a second connection_init.
 * - 4403 Forbidden: connection_init without a valid access token of a live session
 *   (`connectionParams.authorization` = "Bearer <token>"): reason "Forbidden" without one,
 *   TOKEN_EXPIRED, TOKEN_REVOKED or TOKEN_INVALID for one that does not verify; and later, when that session is
 *   revoked ("Session revoked") or the token expires ("Access token expired"). 4403 and not
 *   4401: the protocol reserves 4401 for subscribing before the acknowledgement, and graphql-ws'
 *   client treats 4401 as fatal but retries after 4403, so a client whose `connectionParams` is a
 *   function reconnects with a refreshed token; a revoked session's retries are refused with 4403.
 * - 4429 Too many connections: the user (WS_CONNECTIONS_PER_USER) or the client's IP address
 *   (WS_CONNECTIONS_PER_IP) has as many open connections as allowed, counted across every
 *   instance (./ws-limits.ts). Subscriptions per user (SUBSCRIPTIONS_PER_USER, also across
 *   instances) and per connection are refused with a RATE_LIMITED error instead, the socket
 *   staying open.
 * - 4429 Too many messages before connection_init: more than WS_MESSAGES_BEFORE_ACK messages
 *   (pings included) before the acknowledgement (./ws-server.ts, which also logs errors as JSON).
 * - 1001 Going away: the server shuts down.
 * - 1013 Try again later: the client reads a shared subscription's events so slowly that more
 *   than `maxBufferedBytes` (256 KiB) wait to be sent to it (./ws-fanout.ts); graphql-ws' client
 *   reconnects. (Other subscriptions wait for each send and keep only their newest events.)
 *
 * Subscriptions whose events look the same to every viewer (quotes) are executed and serialized
 * once per event for all their subscribers (./ws-fanout.ts); the others once per subscriber.
 *
 * Only subscriptions are served here; queries and mutations go over HTTP (where limits, metrics
 * and the request lifecycle live). Errors are shaped as on HTTP (src/graphql/errors.ts).
 */
import { ipLimitKey } from '../platform/ip.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  parse,
  subscribe,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { LRUCache } from 'lru-cache';
import { serveGraphQLWs } from './ws-server.js';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, badInput } from '../platform/errors.js';
import { budgetSubject, type RequestBudget } from '../platform/request-budget.js';
import type { Context, ContextServices, Viewer } from './context.js';
import { toClientError } from './errors.js';
import { SharedFanout, type SharedTarget } from './ws-fanout.js';
import { LiveSlots, type SlotClaim } from './ws-limits.js';
import { checkComplexity, checkDocumentLimits, checkSourceLimits, documentLimits } from './limits.js';
import { checkRequestText } from './request-text.js';

export const SUBSCRIPTIONS_PATH = '/graphql';

export interface SubscriptionServerOptions {
  /** How long a socket may stay open without sending connection_init (ms). */
  connectionInitWaitTimeout: number;
  /** Interval of WebSocket ping frames; a socket that does not answer in time is dropped (ms). */
  keepAliveMs: number;
  /** The most operations one connection may run at once. */
  maxSubscriptionsPerConnection: number;
  /** The largest message accepted from a client (bytes). */
  maxPayloadBytes: number;
  /** How long shutdown waits for clients to acknowledge the close before cutting them off (ms). */
  closeGraceMs: number;
  /** Unsent bytes a socket may hold before it is closed as a slow consumer (1013). */
  maxBufferedBytes: number;
  /** Messages (pings included) a socket may send before its connection_init is acknowledged; the next closes it (4429). */
  maxMessagesBeforeAck: number;
}

export const DEFAULT_SUBSCRIPTION_SERVER_OPTIONS: Readonly<SubscriptionServerOptions> = Object.freeze({
  connectionInitWaitTimeout: 3_000,
  keepAliveMs: 12_000,
  maxSubscriptionsPerConnection: 50,
  maxPayloadBytes: 64 * 1024,
  closeGraceMs: 1_000,
  maxBufferedBytes: 256 * 1024,
  maxMessagesBeforeAck: 8,
});

/** What starting a subscription costs of the request budget (its events are not charged). */
export const SUBSCRIBE_COST = 25;
export const SESSION_REVOKED_REASON = 'Session revoked';
export const TOKEN_EXPIRED_REASON = 'Access token expired';
export const TOO_MANY_CONNECTIONS_CODE = 4429;
export const TOO_MANY_USER_CONNECTIONS_REASON = 'Too many connections for this user';
export const TOO_MANY_IP_CONNECTIONS_REASON = 'Too many connections from this address';
export { TOO_MANY_MESSAGES_BEFORE_ACK_REASON } from './ws-server.js';

interface Connection {
  viewer: Viewer;
  /** The client's address and user agent, read from the upgrade request once (see onConnect). */
  ip: string | null;
  userAgent: string | null;
  expiryTimer: NodeJS.Timeout;
  /** Its slot in the per-user and per-IP connection counts. */
  slot: string;
  /** The per-user subscription slot of each running operation, by subscription id. */
  subscriptionSlots: Map<string, string>;
}

/** connection_init's payload; the contract puts the access token in `authorization`. */
type ConnectionParams = Record<string, unknown> & { authorization?: unknown };

/**
 * Serves subscriptions on `app.server` and closes every socket on app.close() (preClose, so
 * graceful shutdown and tests end cleanly).
 */
export function attachSubscriptionServer(
  app: FastifyInstance,
  services: ContextServices,
  schema: GraphQLSchema,
  budget: RequestBudget,
  overrides: Partial<SubscriptionServerOptions> = {},
): void {
  const { config } = services;
  const options = { ...DEFAULT_SUBSCRIPTION_SERVER_OPTIONS, maxMessagesBeforeAck: config.WS_MESSAGES_BEFORE_ACK, ...overrides };
  const log = app.log.child({ component: 'subscriptions' });
  const validationRules = config.production ? [...specifiedRules, NoSchemaIntrospectionCustomRule] : specifiedRules;
  const limits = documentLimits(config);
  const shape = { hideSuggestions: config.production };

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  const connections = new Map<WebSocket, Connection>();
  const bySession = new Map<string, Set<WebSocket>>();
  let shuttingDown = false;
  // Acknowledged connections' graphql-ws contexts, for the open-subscriptions gauge.
  const liveContexts = new Set<{ subscriptions: Record<string, unknown> }>();
  services.metrics.reportSockets(() => ({
    sockets: wss.clients.size,
    subscriptions: [...liveContexts].reduce((sum, ctx) => sum + Object.keys(ctx.subscriptions).length, 0),
  }));

  const slots = new LiveSlots(services.redis, config.REDIS_PREFIX, log);

  /** A result with errors as clients get it: shaped like over HTTP, with the subscriber's request id. */
  const formatResult = (result: ExecutionResult, requestId: string | undefined) => ({
    ...result,
    errors: result.errors?.map((error) => toClientError(error, requestId, log, shape).toJSON()),
  });
  const { subscriptionExecutions } = services.metrics;
  const fanout = new SharedFanout(schema, {
    maxBufferedBytes: options.maxBufferedBytes,
    onExecute: () => subscriptionExecutions.inc({ fanout: 'shared' }),
    onSlowConsumer: () => services.metrics.slowSubscribers.inc(),
  });
  // Documents that passed the limits and validation, by text: a burst of clients subscribing
  // with the same document (every SPA tab, every reconnect) parses and validates it once.
  // Complexity still runs per subscription (it depends on the variables).
  const validDocuments = new LRUCache<string, DocumentNode>({
    max: 500,
    // The AST is a few times its text; bounded whatever the documents' sizes.
    maxSize: 8 * 1024 * 1024,
    sizeCalculation: (_document, query) => 4 * query.length + 1,
  });
  // Operations (text, operation name, variables) whose complexity passed the limits: a burst of
  // clients subscribing to the same quotes computes it once (a 10,000-connection profile spent
  // ~7 % of the API's time there). Only what a field's cost reads can change it, and the costs
  // read the arguments and the process-wide configuration (ctx.services), never the viewer.
  const withinComplexity = new LRUCache<string, true>({
    max: 2000,
    maxSize: 8 * 1024 * 1024,
    sizeCalculation: (_passed, key) => key.length + 1,
  });
  /** The execution arguments onSubscribe returned for shared subscriptions, with where they go. */
  const sharedTargets = new WeakMap<ExecutionArgs, SharedTarget>();

  const forget = (socket: WebSocket) => {
    const connection = connections.get(socket);
    if (!connection) return;
    connections.delete(socket);
    clearTimeout(connection.expiryTimer);
    slots.release(connection.slot);
    for (const slot of connection.subscriptionSlots.values()) slots.release(slot);
    connection.subscriptionSlots.clear();
    const sockets = bySession.get(connection.viewer.sessionId);
    sockets?.delete(socket);
    if (sockets?.size === 0) bySession.delete(connection.viewer.sessionId);
  };

  // Every instance hears every revocation and closes that session's sockets it holds. The
  // listener must be in place before a connection is accepted (see onConnect).
  const revocationListener = services.channels.listen(services.viewers.revokedChannel, (message) => {
    let sessionIds: unknown;
    try {
      sessionIds = JSON.parse(message);
    } catch {
      log.warn('ignoring a malformed session revocation message');
      return;
    }
    if (!Array.isArray(sessionIds)) return;
    for (const sessionId of sessionIds) {
      for (const socket of bySession.get(String(sessionId)) ?? []) {
        forget(socket);
        socket.close(CloseCode.Forbidden, SESSION_REVOKED_REASON);
      }
    }
  });
  // Only a shutdown before Redis ever answered rejects it; onConnect then refuses.
  revocationListener.catch(() => {});

  const disposable = serveGraphQLWs<ConnectionParams>(
    {
      schema,
      connectionInitWaitTimeout: options.connectionInitWaitTimeout,

      onConnect: async (ctx) => {
        const { socket } = ctx.extra;
        const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        try {
          await revocationListener;
        } catch {
          return false;
        }
        // The address goes with the token: an API token's use from a new one is recorded and alerted.
        const ip = clientIp(ctx.extra.request, config.TRUST_PROXY);
        const outcome = await services.viewers.authenticate(typeof authorization === 'string' ? authorization : null, ip, 'connect');
        if ('refused' in outcome) {
          // Closed before graphql-ws' own 4403 "Forbidden", so the client reads why (and graphql-ws
          // still retries after 4403: a connectionParams function can refresh the token).
          if (socket.readyState === socket.OPEN) socket.close(CloseCode.Forbidden, outcome.refused);
          return false;
        }
        const { viewer } = outcome;
        if (!viewer || socket.readyState !== socket.OPEN) return false;
        const expiresIn = viewer.expiresAt.getTime() - Date.now();
        if (expiresIn <= 0) return false;
        const claims: SlotClaim[] = [{ kind: 'connections:user', subject: viewer.userId, limit: config.WS_CONNECTIONS_PER_USER }];
        if (ip) claims.push({ kind: 'connections:ip', subject: ipLimitKey(ip), limit: config.WS_CONNECTIONS_PER_IP });
        const taken = await slots.acquire(claims);
        if (!taken.ok) {
          // graphql-ws closes a refused connection with 4403; this close comes first and stands.
          socket.close(
            TOO_MANY_CONNECTIONS_CODE,
            taken.refused.kind === 'connections:ip' ? TOO_MANY_IP_CONNECTIONS_REASON : TOO_MANY_USER_CONNECTIONS_REASON,
          );
          return false;
        }
        if (socket.readyState !== socket.OPEN) {
          slots.release(taken.slot);
          return false;
        }
        const connection: Connection = {
          viewer: { userId: viewer.userId, sessionId: viewer.sessionId },
          ip,
          userAgent: ctx.extra.request.headers['user-agent'] ?? null,
          expiryTimer: setTimeout(() => {
            forget(socket);
            socket.close(CloseCode.Forbidden, TOKEN_EXPIRED_REASON);
          }, expiresIn),
          slot: taken.slot,
          subscriptionSlots: new Map(),
        };
        connections.set(socket, connection);
        liveContexts.add(ctx);
        let sockets = bySession.get(viewer.sessionId);
        if (!sockets) bySession.set(viewer.sessionId, (sockets = new Set()));
        sockets.add(socket);
        // A revocation published after resolveViewer's check but before this socket was
        // registered would have found nothing to close: check once more now that it is.
        if (await services.viewers.isRevoked(viewer, 'connect')) {
          forget(socket);
          return false;
        }
        // Everything needed of the upgrade request is on the connection now. graphql-ws keeps
        // `extra` as long as the socket lives; the IncomingMessage (headers, raw headers, parser
        // state) would stay with it, a few KB per subscriber.
        (ctx.extra as { request: IncomingMessage | null }).request = null;
        return socket.readyState === socket.OPEN;
      },

      onSubscribe: async (ctx, id, payload) => {
        const connection = connections.get(ctx.extra.socket);
        // graphql-ws only calls onSubscribe after the acknowledgement, so this is a race with
        // a close (revocation, expiry) that already happened.
        if (!connection) return [new AppError('UNAUTHENTICATED', 'The connection is closed')];
        // graphql-ws has registered this id already: it counts.
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
          return [
            new AppError('RATE_LIMITED', `At most ${options.maxSubscriptionsPerConnection} subscriptions may run on one connection`, {
              limit: options.maxSubscriptionsPerConnection,
            }),
          ];
        }
        // Subscribing draws on the same per-minute budget as HTTP requests.
        if (budget.enabled) {
          // Redis failing is not the subscriber's fault: not charged then.
          const decision = await budget.charge(budgetSubject(connection.viewer, connection.ip), SUBSCRIBE_COST).catch(() => null);
          if (decision && !decision.allowed) {
            return [new AppError('RATE_LIMITED', 'Request budget used up; try again later', { retryAfter: decision.resetSeconds })];
          }
        }
        let document = validDocuments.get(payload.query);
        if (!document) {
          try {
            // The same document limits as over HTTP (src/graphql/limits.ts), in the same order.
            checkSourceLimits(payload.query, limits);
            document = parse(payload.query, { maxTokens: limits.maxTokens });
            checkDocumentLimits(document, limits);
          } catch (error) {
            return [toClientError(error as GraphQLError, undefined, log, shape)];
          }
          const errors = validate(schema, document, validationRules);
          if (errors.length > 0) return errors.map((error) => toClientError(error, undefined, log, shape));
          validDocuments.set(payload.query, document);
        }
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) {
          return [badInput([{ field: 'operationName', message: 'Unable to identify the operation to run' }])];
        }
        if (operation.operation !== 'subscription') {
          return [
            badInput([{ field: 'query', message: 'Only subscriptions are served over WebSocket; send queries and mutations over HTTP' }]),
          ];
        }
        const taken = await slots.acquire([
          { kind: 'subscriptions:user', subject: connection.viewer.userId, limit: config.SUBSCRIPTIONS_PER_USER },
        ]);
        if (!taken.ok) {
          return [
            new AppError('RATE_LIMITED', `At most ${config.SUBSCRIPTIONS_PER_USER} subscriptions may run for one user at once`, {
              limit: config.SUBSCRIPTIONS_PER_USER,
            }),
          ];
        }
        // The connection may have closed while the slot was taken: then nothing would give it back.
        if (!connections.has(ctx.extra.socket)) {
          slots.release(taken.slot);
          return [new AppError('UNAUTHENTICATED', 'The connection is closed')];
        }
        connection.subscriptionSlots.set(id, taken.slot);
        const contextValue: Context = {
          services,
          requestId: randomUUID(),
          ip: connection.ip,
          userAgent: connection.userAgent,
          viewer: connection.viewer,
          cache: new Map(),
        };
        try {
          const variables = payload.variables ?? undefined;
          const operationKey = `${payload.operationName ?? ''}\u0000${JSON.stringify(variables ?? null)}\u0000${payload.query}`;
          if (!withinComplexity.has(operationKey)) {
            checkComplexity(schema, document, variables, payload.operationName ?? undefined, contextValue, limits);
            withinComplexity.set(operationKey, true);
          }
          checkRequestText(document, variables);
        } catch (error) {
          return [toClientError(error as GraphQLError, contextValue.requestId, log, shape)];
        }
        log.debug({ requestId: contextValue.requestId, subscriptionId: id, operation: operation.name?.value }, 'subscription started');
        const execution: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
        const key = fanout.keyOf(operation, payload.query, payload.operationName, payload.variables);
        if (key !== null) {
          const { requestId } = contextValue;
          sharedTargets.set(execution, { socket: ctx.extra.socket, id, key, formatErrors: (result) => formatResult(result, requestId) });
        }
        return execution;
      },

      // Shared subscriptions write their own frames (./ws-fanout.ts); the rest go through graphql-ws.
      subscribe: (args) => {
        const target = sharedTargets.get(args);
        return target ? fanout.subscribe(args, target) : subscribe(args);
      },

      onNext: (_ctx, _id, _payload, args, result) => {
        subscriptionExecutions.inc({ fanout: 'per_subscriber' });
        if (!result.errors?.length) return;
        return formatResult(result, (args.contextValue as Context | undefined)?.requestId);
      },

      onError: (_ctx, _id, _payload, errors) => errors.map((error) => toClientError(error, undefined, log, shape).toJSON()),

      // Called when an operation ends for any reason (completed, failed, stopped by the client,
      // or its socket closing).
      onComplete: (ctx, id) => {
        const connection = connections.get(ctx.extra.socket);
        const slot = connection?.subscriptionSlots.get(id);
        if (!connection || slot === undefined) return;
        connection.subscriptionSlots.delete(id);
        slots.release(slot);
      },

      onClose: (ctx) => {
        liveContexts.delete(ctx);
        forget(ctx.extra.socket);
      },
    },
    wss,
    {
      keepAliveMs: options.keepAliveMs,
      maxMessagesBeforeAck: options.maxMessagesBeforeAck,
      acknowledged: (socket) => connections.has(socket),
      log,
    },
  );

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(request.url) !== SUBSCRIPTIONS_PATH) {
      // Another upgrade handler may serve other paths; if there is none, refuse.
      if (app.server.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (shuttingDown) {
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    // The HTTP idle timeout is for requests; a subscription socket lives on graphql-ws' pings.
    if ('setTimeout' in socket && typeof socket.setTimeout === 'function') socket.setTimeout(0);
    wss.handleUpgrade(request, socket, head, (ws) => {
      wss.emit('connection', ws, request);
    });
  };
  app.server.on('upgrade', onUpgrade);

  app.addHook('preClose', async () => {
    shuttingDown = true;
    app.server.off('upgrade', onUpgrade);
    const open = [...wss.clients];
    await Promise.all(
      open.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === socket.CLOSED) return resolve();
            const cutOff = setTimeout(() => socket.terminate(), options.closeGraceMs);
            socket.once('close', () => {
              clearTimeout(cutOff);
              resolve();
            });
            socket.close(1001, 'Going away');
          }),
      ),
    );
    await disposable.dispose();
    await slots.close();
    await revocationListener.then(
      (stop) => stop(),
      () => {},
    );
  });
}

function pathOf(url: string | undefined): string {
  return new URL(url ?? '/', 'http://localhost').pathname;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/**
 * The client's address as Fastify computes request.ip with `trustProxy: hop < TRUST_PROXY`: the
 * socket's peer, then X-Forwarded-For from the right, trusting `trustedHops` proxies.
 */
export function clientIp(request: IncomingMessage, trustedHops: number): string | null {
  const forwarded = request.headers['x-forwarded-for'];
  const chain = [
    request.socket.remoteAddress ?? null,
    ...(typeof forwarded === 'string'
      ? forwarded
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .reverse()
      : []),
  ];
  return chain[Math.min(trustedHops, chain.length - 1)] ?? null;
}
