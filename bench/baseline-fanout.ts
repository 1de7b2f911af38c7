/**
 * The yardstick for the fan-out benchmark: a plain `ws` server that listens to the same Redis
 * quote channel as the API and writes each tick, serialized once as the graphql-ws `next`
 * message a subscriber would get, to every socket. It speaks just enough of graphql-transport-ws
 * (connection_init → connection_ack) for the same client to connect to it.
 *
 *   PORT=… REDIS_URL=… CHANNEL=… tsx bench/baseline-fanout.ts
 */
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';

const env = process.env as Record<string, string>;
const sockets = new Set<WebSocket>();
const http = createServer((_req, res) => res.end('ok'));
const wss = new WebSocketServer({ server: http, path: '/graphql' });
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string };
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'subscribe') sockets.add(socket);
  });
  socket.on('close', () => sockets.delete(socket));
});

const subscriber = new Redis(env.REDIS_URL!);
await subscriber.subscribe(env.CHANNEL!);
subscriber.on('message', (_channel, message: string) => {
  const quote = JSON.parse(message) as Record<string, unknown>;
  const { previousClose: _unused, ...fields } = quote;
  const bytes = JSON.stringify({ id: '1', type: 'next', payload: { data: { quotes: fields } } });
  for (const socket of sockets) socket.send(bytes);
});
http.listen(Number(env.PORT), '127.0.0.1', () => console.log(`baseline listening on ${env.PORT}`));
process.on('SIGTERM', () => {
  subscriber.disconnect();
  wss.close();
  http.close(() => process.exit(0));
});
