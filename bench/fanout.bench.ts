/**
 * Live fan-out benchmark (issue 11): N graphql-ws subscribers of `quotes(symbols: ["AAPL"])` on
 * one API process (production, pinned to core 0) against a plain `ws` server
 * (bench/baseline-fanout.ts, same core) that writes the same tick, serialized once, to N sockets.
 * CLIENTS load-generator processes (./lib/fanout-client.ts, on CLIENT_CPUS, core 1 by default)
 * share the N client sockets (speaking graphql-transport-ws by hand: a graphql-ws client per
 * socket would make the load generator the bottleneck); this process publishes
 * TICKS_PER_SECOND ticks on the Redis channel the price feed uses, each with a unique price so
 * a received message names its tick. Their CPU is reported ("clients CPU", 100 % = one core):
 * near the CPUs they have, the figures measure the load generators, not the servers.
 *
 * - The API runs from the production build (`npm run build`, dist/main.js on plain node, as
 *   the Docker image does), so idle RSS is not tsx's compiler and source maps.
 * - Every N runs on freshly started servers (no sockets of the previous N still closing, idle
 *   RSS measured on a clean process); the client waits for its sockets to close in between.
 * - Sockets are opened CONNECT_WINDOW at a time over all clients (a handshake in flight per slot): opening all
 *   at once overflows the listen backlog and makes connection_init miss the server's 3 s
 *   timeout, which measured the client rather than the server.
 *
 * Reported per N and server: connect time (all sockets acknowledged), p50/p99/max latency from
 * publish to receipt, lost ticks, server CPU during the ticks, RSS idle and with N subscribers
 * (and per subscriber); then the ratios to raw ws and the issue's targets.
 *
 * Run: npm run bench:fanout [-- --subscribers 1000,5000,10000 --seconds 10 --clients 4 --client-cpus 1]
 * On a shared machine: BENCH_PORT, BENCH_BASELINE_PORT, BENCH_DATABASE, BENCH_REDIS_PREFIX fix
 * the names (bench/lib/servers.ts); BENCH_CPU_PROF=<dir> writes the servers' CPU profiles.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { argument, cpuSeconds, freePort, rssMb, startPinned, stop, withDeployment } from './lib/servers.js';

const at = process.argv.indexOf('--subscribers');
const COUNTS = (at > 0 ? process.argv[at + 1]! : '1000,5000,10000').split(',').map(Number);
const SECONDS = argument('seconds', 10);
const CONNECT_WINDOW = argument('connect-window', 200);
const CLIENTS = argument('clients', 4);
const cpusAt = process.argv.indexOf('--client-cpus');
const CLIENT_CPUS = cpusAt > 0 ? process.argv[cpusAt + 1]! : '1';
const TICKS_PER_SECOND = 4;
const CONNECT_TIMEOUT_MS = 60_000;
const SUBSCRIBE = JSON.stringify({
  id: '1',
  type: 'subscribe',
  payload: { query: 'subscription { quotes(symbols: ["AAPL"]) { symbol price change changePercent currency source timestamp } }' },
});

interface Run {
  connectMs: number | null;
  connected: number;
  latencies: number[];
  lost: number;
  cpuPercent: number;
  clientCpuPercent: number;
  rssIdleMb: number;
  rssLoadedMb: number;
}

function quoteAt(price: string, source = 'simulated') {
  return {
    symbol: 'AAPL',
    price,
    change: '1.5',
    changePercent: 0.75,
    previousClose: '99',
    currency: 'USD',
    timestamp: new Date().toISOString(),
    source,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** CLOCK_MONOTONIC, as the load generators stamp receipts with (./lib/fanout-client.ts). */
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A load-generator process (./lib/fanout-client.ts) on CLIENT_CPUS, driven over IPC. */
class Client {
  readonly process: ChildProcess;
  private readonly waiting = new Map<string, (message: Record<string, unknown>) => void>();

  constructor() {
    this.process = spawn('taskset', ['-c', CLIENT_CPUS, process.execPath, '--import', 'tsx', 'bench/lib/fanout-client.ts'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (message: Record<string, unknown>) => {
      const resolve = this.waiting.get(String(message.type));
      this.waiting.delete(String(message.type));
      resolve?.(message);
    });
  }

  /** Sends a command and resolves with the reply of type `answer`. */
  ask<T>(command: Record<string, unknown>, answer: string): Promise<T> {
    return new Promise((resolve) => {
      this.waiting.set(answer, resolve as (message: Record<string, unknown>) => void);
      this.process.send(command);
    });
  }

  /** The client's own pid (taskset execs node in place). */
  get pid(): number {
    return this.process.pid!;
  }
}

async function measure(server: ChildProcess, url: string, token: string, redis: Redis, channel: string, n: number): Promise<Run> {
  const clients = Array.from({ length: Math.min(CLIENTS, n) }, () => new Client());
  await sleep(2000); // settle after start-up (the clients load meanwhile)
  const rssIdleMb = rssMb(server.pid!);
  const init = JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
  const share = (i: number) => Math.floor(n / clients.length) + (i < n % clients.length ? 1 : 0);
  const window = (i: number) => Math.max(1, Math.round((CONNECT_WINDOW * share(i)) / n));
  const status = () =>
    Promise.all(clients.map((c) => c.ask<{ acknowledged: number; warm: number }>({ type: 'status' }, 'status'))).then((all) => ({
      acknowledged: all.reduce((sum, s) => sum + s.acknowledged, 0),
      warm: all.reduce((sum, s) => sum + s.warm, 0),
    }));

  const started = performance.now();
  const connectAll = Promise.all(
    clients.map((c, i) => c.ask({ type: 'start', url, init, subscribe: SUBSCRIBE, count: share(i), window: window(i) }, 'connected')),
  );
  const connected = await Promise.race([connectAll.then(() => true), sleep(CONNECT_TIMEOUT_MS).then(() => false)]);
  const { acknowledged } = await status();
  const connectMs = connected && acknowledged === n ? performance.now() - started : null;

  // Warm-up ticks until every subscriber has received one (the subscribe message is handled
  // after the acknowledgement); only the ticks after count.
  const warmUntil = Date.now() + 30_000;
  while ((await status()).warm < acknowledged && Date.now() < warmUntil) {
    await redis.publish(channel, JSON.stringify(quoteAt('1.5', 'warmup')));
    await sleep(250);
  }
  await sleep(1000);
  const rssLoadedMb = rssMb(server.pid!);

  const sent: Record<string, number> = {};
  const cpuBefore = cpuSeconds(server.pid!);
  const clientCpuBefore = clients.map((c) => cpuSeconds(c.pid));
  const tickStart = performance.now();
  const ticks = SECONDS * TICKS_PER_SECOND;
  for (let tick = 0; tick < ticks; tick++) {
    // Ends in 1: the Decimal scalar drops trailing zeros, and the price must come back as sent.
    const price = `${100 + tick}.${tick}1`;
    sent[price] = monotonicMs();
    await redis.publish(channel, JSON.stringify(quoteAt(price)));
    await sleep(1000 / TICKS_PER_SECOND);
  }
  const expected = acknowledged * ticks;
  const collect = () =>
    Promise.all(clients.map((c) => c.ask<{ latencies: number[] }>({ type: 'collect', sent }, 'latencies'))).then((all) =>
      all.flatMap((a) => a.latencies),
    );
  let latencies = await collect();
  const stragglersUntil = Date.now() + 5000;
  while (latencies.length < expected && Date.now() < stragglersUntil) {
    await sleep(250);
    latencies = await collect();
  }
  const seconds = (performance.now() - tickStart) / 1000;
  const cpuPercent = (100 * (cpuSeconds(server.pid!) - cpuBefore)) / seconds;
  // Of one core: 100 % means the load generators had a core's worth of work.
  const clientCpuPercent = (100 * clients.reduce((sum, c, i) => sum + cpuSeconds(c.pid) - clientCpuBefore[i]!, 0)) / seconds;
  // Every socket closed on this side before the next server starts.
  await Promise.all(clients.map((c) => c.ask({ type: 'close' }, 'closed')));
  latencies.sort((a, b) => a - b);
  return {
    connectMs,
    connected: acknowledged,
    latencies,
    lost: expected - latencies.length,
    cpuPercent,
    clientCpuPercent,
    rssIdleMb,
    rssLoadedMb,
  };
}

const perSubscriberKb = (run: Run) => ((run.rssLoadedMb - run.rssIdleMb) * 1024) / Math.max(run.connected, 1);

function row(name: string, n: number, run: Run): string {
  const l = run.latencies;
  return (
    `| ${n} | ${name} | ${run.connectMs === null ? `${run.connected} of ${n} in 60 s` : `${(run.connectMs / 1000).toFixed(1)} s`}` +
    ` | ${percentile(l, 50).toFixed(0)} / ${percentile(l, 99).toFixed(0)} / ${(l.at(-1) ?? NaN).toFixed(0)} ms | ${run.lost}` +
    ` | ${run.cpuPercent.toFixed(0)} % | ${run.clientCpuPercent.toFixed(0)} % | ${run.rssIdleMb.toFixed(0)} → ${run.rssLoadedMb.toFixed(0)} MB (${perSubscriberKb(run).toFixed(1)} KB each) |`
  );
}

execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });

await withDeployment({}, async ({ env, apiUrl, api, token }) => {
  // The deployment's API signed the user up; each N gets fresh processes.
  await stop(api);
  const redis = new Redis(env.REDIS_URL!);
  const channel = `${env.REDIS_PREFIX}quote:AAPL`;
  const basePort = Number(process.env.BENCH_BASELINE_PORT ?? 0) || (await freePort());
  const rows: string[] = [];
  const verdicts: string[] = [];
  try {
    for (const n of COUNTS) {
      const ourServer = await startPinned('dist/main.js', env, `${apiUrl}/health`);
      const ours = await measure(ourServer, `${apiUrl.replace('http', 'ws')}/graphql`, token, redis, channel, n);
      await stop(ourServer);
      const baseline = await startPinned(
        'bench/baseline-fanout.ts',
        { PORT: String(basePort), REDIS_URL: env.REDIS_URL!, CHANNEL: channel },
        `http://127.0.0.1:${basePort}/`,
      );
      const theirs = await measure(baseline, `ws://127.0.0.1:${basePort}/graphql`, token, redis, channel, n);
      await stop(baseline);
      rows.push(row('foliograph', n, ours), row('raw ws', n, theirs));
      console.log(rows.at(-2), '\n' + rows.at(-1));
      const ratio = percentile(ours.latencies, 99) / percentile(theirs.latencies, 99);
      verdicts.push(
        `${n}: p99 ${ratio.toFixed(2)}× raw ws (target ≤ 1.5), lost ${ours.lost} (target 0), connect ` +
          `${ours.connectMs === null ? 'incomplete' : `${(ours.connectMs / 1000).toFixed(1)} s`} (target < 5 s), ` +
          `${perSubscriberKb(ours).toFixed(1)} KB per subscriber (target < 20), idle ${ours.rssIdleMb.toFixed(0)} MB (target < 200)`,
      );
    }
  } finally {
    redis.disconnect();
  }
  console.log(`\nFan-out: ${TICKS_PER_SECOND} ticks/s for ${SECONDS} s, one symbol, connect window ${CONNECT_WINDOW}`);
  console.log(
    `Load generators: ${CLIENTS} processes on CPU ${CLIENT_CPUS}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('| subscribers | server | connect | latency p50 / p99 / max | lost | server CPU | clients CPU | RSS idle → loaded |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log('');
  for (const v of verdicts) console.log(v);
});
process.exit(0);
