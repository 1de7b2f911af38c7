/**
 * Live fan-out benchmark (issue 11): N graphql-ws subscribers of `quotes(symbols: ["AAPL"])` on
 * one API process (production, pinned to core 0) against a plain `ws` server
 * (bench/baseline-fanout.ts, same core) that writes the same tick, serialized once, to N sockets.
 * This process (core 1) opens the N client sockets (speaking graphql-transport-ws by hand: a
 * graphql-ws client per socket would make the load generator the bottleneck) and publishes
 * TICKS_PER_SECOND ticks on the Redis channel the price feed uses, each with a unique price so
 * a received message names its tick.
 *
 * Reported per N and server: connect time (all sockets acknowledged), p50/p99/max latency from
 * publish to receipt, lost ticks, server CPU during the ticks, RSS idle and with N subscribers.
 *
 * Run: npm run bench:fanout [-- --subscribers 1000,5000,10000 --seconds 10]
 */
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { argument, cpuSeconds, freePort, rssMb, startPinned, stop, withDeployment } from './lib/servers.js';

const at = process.argv.indexOf('--subscribers');
const COUNTS = (at > 0 ? process.argv[at + 1]! : '1000,5000,10000').split(',').map(Number);
const SECONDS = argument('seconds', 10);
const TICKS_PER_SECOND = 4;
const CONNECT_TIMEOUT_MS = 60_000;
const SUBSCRIBE = JSON.stringify({
  id: '1',
  type: 'subscribe',
  payload: { query: 'subscription { quotes(symbols: ["AAPL"]) { symbol price change changePercent currency source timestamp } }' },
});
const PRICE = /"price":"(\d+\.\d+)"/;

interface Run {
  connectMs: number | null;
  connected: number;
  latencies: number[];
  lost: number;
  cpuPercent: number;
  rssIdleMb: number;
  rssLoadedMb: number;
}

function quoteAt(price: string) {
  return {
    symbol: 'AAPL',
    price,
    change: '1.5',
    changePercent: 0.75,
    previousClose: '99',
    currency: 'USD',
    timestamp: new Date().toISOString(),
    source: 'simulated',
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(server: ChildProcess, url: string, token: string, redis: Redis, channel: string, n: number): Promise<Run> {
  const rssIdleMb = rssMb(server.pid!);
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const sockets: WebSocket[] = [];
  let acknowledged = 0;
  const started = performance.now();
  const allAcknowledged = new Promise<void>((resolve) => {
    for (let i = 0; i < n; i++) {
      const socket = new WebSocket(url, 'graphql-transport-ws');
      sockets.push(socket);
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
      socket.on('message', (data: Buffer) => {
        const text = data.toString();
        if (text.includes('"connection_ack"')) {
          socket.send(SUBSCRIBE);
          if (++acknowledged === n) resolve();
          return;
        }
        const price = PRICE.exec(text)?.[1];
        const published = price ? sent.get(price) : undefined;
        if (published !== undefined) latencies.push(performance.now() - published);
      });
      socket.on('error', () => {});
    }
  });
  const connected = await Promise.race([
    allAcknowledged.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), CONNECT_TIMEOUT_MS)),
  ]);
  const connectMs = connected ? performance.now() - started : null;
  // Warm-up ticks until every subscriber has received one (the relay subscribes to the Redis
  // channel when its first local subscriber arrives); only the ticks after count.
  const warmedUp = new Set<WebSocket>();
  for (const socket of sockets) socket.on('message', (data: Buffer) => data.includes('"warmup"') && warmedUp.add(socket));
  const warmUntil = Date.now() + 20_000;
  while (warmedUp.size < acknowledged && Date.now() < warmUntil) {
    await redis.publish(channel, JSON.stringify({ ...quoteAt('1.0000'), source: 'warmup' }));
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, 500));
  const rssLoadedMb = rssMb(server.pid!);

  const cpuBefore = cpuSeconds(server.pid!);
  const tickStart = performance.now();
  const ticks = SECONDS * TICKS_PER_SECOND;
  for (let tick = 0; tick < ticks; tick++) {
    // Ends in 1: the Decimal scalar drops trailing zeros, and the price must come back as sent.
    const price = `${100 + tick}.${tick}1`;
    sent.set(price, performance.now());
    await redis.publish(channel, JSON.stringify(quoteAt(price)));
    await new Promise((r) => setTimeout(r, 1000 / TICKS_PER_SECOND));
  }
  await new Promise((r) => setTimeout(r, 3000)); // stragglers
  const cpuPercent = (100 * (cpuSeconds(server.pid!) - cpuBefore)) / ((performance.now() - tickStart) / 1000);
  for (const socket of sockets) socket.terminate();
  latencies.sort((a, b) => a - b);
  return {
    connectMs,
    connected: acknowledged,
    latencies,
    lost: acknowledged * ticks - latencies.length,
    cpuPercent,
    rssIdleMb,
    rssLoadedMb,
  };
}

function row(name: string, n: number, run: Run): string {
  const l = run.latencies;
  const perSubscriberKb = ((run.rssLoadedMb - run.rssIdleMb) * 1024) / Math.max(run.connected, 1);
  return (
    `| ${n} | ${name} | ${run.connectMs === null ? `${run.connected} of ${n} in 60 s` : `${(run.connectMs / 1000).toFixed(1)} s`}` +
    ` | ${percentile(l, 50).toFixed(0)} / ${percentile(l, 99).toFixed(0)} / ${(l.at(-1) ?? NaN).toFixed(0)} ms | ${run.lost}` +
    ` | ${run.cpuPercent.toFixed(0)} % | ${run.rssIdleMb.toFixed(0)} → ${run.rssLoadedMb.toFixed(0)} MB (${perSubscriberKb.toFixed(1)} KB each) |`
  );
}

await withDeployment({}, async ({ env, apiUrl, api, token }) => {
  const redis = new Redis(env.REDIS_URL!);
  const channel = `${env.REDIS_PREFIX}quote:AAPL`;
  const basePort = await freePort();
  const baseline = await startPinned(
    'bench/baseline-fanout.ts',
    { PORT: String(basePort), REDIS_URL: env.REDIS_URL!, CHANNEL: channel },
    `http://127.0.0.1:${basePort}/`,
  );
  const rows: string[] = [];
  const p99s: string[] = [];
  try {
    for (const n of COUNTS) {
      const ours = await measure(api, `${apiUrl.replace('http', 'ws')}/graphql`, token, redis, channel, n);
      const theirs = await measure(baseline, `ws://127.0.0.1:${basePort}/graphql`, token, redis, channel, n);
      rows.push(row('foliograph', n, ours), row('raw ws', n, theirs));
      p99s.push(`${n}: ${(percentile(ours.latencies, 99) / percentile(theirs.latencies, 99)).toFixed(2)}×`);
      await new Promise((r) => setTimeout(r, 2000)); // sockets closed before the next N
    }
  } finally {
    await stop(baseline);
    redis.disconnect();
  }
  console.log(`\nFan-out: ${TICKS_PER_SECOND} ticks/s for ${SECONDS} s, one symbol`);
  console.log('| subscribers | server | connect | latency p50 / p99 / max | lost | server CPU | RSS idle → loaded |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`\np99 foliograph / raw ws: ${p99s.join(', ')}`);
});
process.exit(0);
