/**
 * graphql-ws' server (`makeServer`: the protocol, its close codes) on a `ws` WebSocketServer,
 * as graphql-ws' own `useServer` (graphql-ws/use/ws, MIT) wires it, with two differences:
 * - errors go to our logger as single JSON lines (useServer prints them with console.error, a
 *   multi-line stack per error: a 10 s flood of bad frames printed 93k lines). A socket's own
 *   errors (bad frames, oversized messages) are the client's doing and logged at debug; an error
 *   while handling a message is ours (error level).
 * - messages before the connection is acknowledged are bounded (issue 21): at most
 *   `maxMessagesBeforeAck` reach the protocol (graphql-ws parses each and answers pings); the
 *   next closes the socket with 4429 and later ones are dropped unread. Four anonymous sockets
 *   flooding pings held /health at 726 ms p50.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';

export const TOO_MANY_MESSAGES_CODE = 4429;
export const TOO_MANY_MESSAGES_BEFORE_ACK_REASON = 'Too many messages before connection_init';
/** How long a socket closed for flooding may take to acknowledge the close before it is cut off (ms). */
const FLOOD_CLOSE_GRACE_MS = 1_000;

export interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

export interface WsServerSettings {
  keepAliveMs: number;
  maxMessagesBeforeAck: number;
  /** Whether the socket's connection_init was accepted (then its messages are no longer counted). */
  acknowledged(socket: WebSocket): boolean;
  log: FastifyBaseLogger;
}

export function serveGraphQLWs<P extends Record<string, unknown>>(
  options: ServerOptions<P, Extra>,
  wss: WebSocketServer,
  settings: WsServerSettings,
): { dispose(): Promise<void> } {
  const { keepAliveMs, maxMessagesBeforeAck, acknowledged, log } = settings;
  const server = makeServer<P, Extra>(options);
  wss.options.handleProtocols = handleProtocols;
  wss.once('error', (error) => {
    log.error({ err: error }, 'WebSocket server error; closing its sockets');
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, 'Internal server error');
  });

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socket.once('error', (error: Error & { code?: string }) => {
      // ws has already refused the frame (and closes the socket with the right code).
      log.debug({ code: error.code, reason: error.message }, 'WebSocket client error');
      if (socket.readyState === socket.OPEN) socket.close(CloseCode.BadRequest, 'Bad frame');
    });

    let pongWait: NodeJS.Timeout | null = null;
    const pingInterval =
      keepAliveMs > 0 && Number.isFinite(keepAliveMs)
        ? setInterval(() => {
            if (socket.readyState !== socket.OPEN) return;
            pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
            socket.once('pong', () => {
              if (pongWait) clearTimeout(pongWait);
              pongWait = null;
            });
            socket.ping();
          }, keepAliveMs)
        : null;

    let beforeAck = 0;
    let acked = false;
    let flooding = false;
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            if (!acked) {
              if (flooding) return;
              if (acknowledged(socket)) acked = true;
              else if (++beforeAck > maxMessagesBeforeAck) {
                flooding = true;
                socket.close(TOO_MANY_MESSAGES_CODE, TOO_MANY_MESSAGES_BEFORE_ACK_REASON);
                setTimeout(() => socket.terminate(), FLOOD_CLOSE_GRACE_MS).unref();
                return;
              }
            }
            handle(String(data)).catch((error: unknown) => {
              log.error({ err: error }, 'WebSocket message handling failed');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket, request },
    );

    socket.once('close', (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      if (pingInterval) clearInterval(pingInterval);
      void closed(code, String(reason));
    });
  });

  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
