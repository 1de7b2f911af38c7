/**
 * One load-generator process of the fan-out benchmark (bench/fanout.bench.ts starts several, so
 * that one event loop reading 10,000 sockets is not what gets measured). It opens its share of
 * the sockets, speaking graphql-transport-ws by hand (a graphql-ws client per socket would cost
 * more than the server's side), and records when each tick's frame arrives on each socket.
 *
 * Driven over IPC by the benchmark:
 *   start {url, init, subscribe, count, window} → connected {acknowledged}
 *   status → status {acknowledged, warm}
 *   collect {sent: {price: publishedAt}} → latencies {latencies}
 *   close → closed (every socket gone), then exit
 * Times are CLOCK_MONOTONIC (process.hrtime), the same clock in every process on the machine.
 */
import WebSocket from 'ws';

const PRICE = Buffer.from('"price":"');
const WARMUP = Buffer.from('"warmup"');
const ACK = Buffer.from('"connection_ack"');

const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

type Command =
  | { type: 'start'; url: string; init: string; subscribe: string; count: number; window: number }
  | { type: 'status' }
  | { type: 'collect'; sent: Record<string, number> }
  | { type: 'close' };

const sockets: WebSocket[] = [];
const warmedUp = new Set<WebSocket>();
let acknowledged = 0;
// What arrived: the tick's price and when, in parallel arrays (cheap to fill on every frame).
const prices: string[] = [];
const times: number[] = [];

const reply = (message: unknown) => process.send!(message);

/** The price in a `next` frame, without parsing the JSON (the client must stay cheap). */
function priceIn(data: Buffer): string | null {
  const start = data.indexOf(PRICE);
  if (start < 0) return null;
  const from = start + PRICE.length;
  return data.toString('latin1', from, data.indexOf(34, from));
}

/** One socket: open, init, subscribe; resolves at the acknowledgement (or failure). */
function connect(url: string, init: string, subscribe: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    sockets.push(socket);
    let acked = false;
    socket.on('open', () => socket.send(init));
    socket.on('message', (data: Buffer) => {
      const at = monotonicMs();
      if (!acked) {
        if (data.indexOf(ACK) >= 0) {
          acked = true;
          acknowledged++;
          socket.send(subscribe);
          resolve();
        }
        return;
      }
      if (data.indexOf(WARMUP) >= 0) {
        warmedUp.add(socket);
        return;
      }
      const price = priceIn(data);
      if (price === null) return;
      prices.push(price);
      times.push(at);
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

async function start(command: Extract<Command, { type: 'start' }>): Promise<void> {
  let next = 0;
  // `window` handshakes in flight at once: all at once would overflow the listen backlog.
  await Promise.all(
    Array.from({ length: Math.min(command.window, command.count) }, async () => {
      while (next < command.count) {
        next++;
        await connect(command.url, command.init, command.subscribe);
      }
    }),
  );
  reply({ type: 'connected', acknowledged });
}

process.on('message', (command: Command) => {
  switch (command.type) {
    case 'start':
      void start(command);
      break;
    case 'status':
      reply({ type: 'status', acknowledged, warm: warmedUp.size });
      break;
    case 'collect': {
      const latencies: number[] = [];
      for (let i = 0; i < prices.length; i++) {
        const published = command.sent[prices[i]!];
        if (published !== undefined) latencies.push(times[i]! - published);
      }
      reply({ type: 'latencies', latencies });
      break;
    }
    case 'close':
      void Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === WebSocket.CLOSED) return resolve();
              socket.once('close', () => resolve());
              socket.terminate();
            }),
        ),
      ).then(() => {
        reply({ type: 'closed' });
        process.disconnect();
      });
      break;
  }
});
// Bounded in time whatever the parent does: a benchmark never leaves sockets open behind it.
setTimeout(() => process.exit(1), 15 * 60_000).unref();
process.on('disconnect', () => process.exit(0));
