/**
 * Stall probe (issue 21): how long `GET /health` takes while each of the attacks runs
 * against the production build, next to a quiet baseline measured in the same run.
 *
 * The API runs as production does (`npm run build`, `node dist/main.js`, NODE_ENV=production,
 * the default request budget and WebSocket limits) pinned to core 0 (its analytics worker
 * threads too: they share the event loop's core); this process, which attacks and probes, runs on
 * core 1 (`npm run bench:stalls` pins it). One probe at a time asks /health every 20 ms (timeout
 * 10 s, counted as 10 s) while an attack runs, and the table gives p50/p90/max of the answers
 * and each p90 as a multiple of the quiet one. The attacks, each for --duration seconds (the
 * simulations for twice that):
 *
 *   ws-ping-flood   4 WebSockets send {"type":"ping"} as fast as they drain, before connection_init
 *                   (a socket the server closes is opened again)
 *   deep-json       3 senders POST 2 MB bodies of JSON nested a million levels to /graphql
 *   half-open       HTTP connections that never finish their headers, 100 more a second
 *   simulations     3 accounts with 50-holding portfolios run simulation(paths: 4761,
 *                   horizonDays: 252) back to back, a new seed each time, for their whole budget
 *   risk-busting    3 accounts ask risk with a new confidence each time (never cached), back to back
 *
 * The script measures whatever the code under test does: run it before and after a fix.
 *
 * Run: npm run bench:stalls [-- --duration 15]
 */
import { execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { UNIVERSE } from '../src/market/providers/universe.js';
import { addDays, isoDateOf } from '../src/platform/dates.js';
import { argument, post, startPinned, stop, withDeployment } from './lib/servers.js';

const DURATION_S = argument('duration', 15);
const PROBE_EVERY_MS = 20;
const PROBE_TIMEOUT_MS = 10_000;
const HOLDINGS = 50;

interface Probe {
  latencies: number[];
  failures: number;
}

/**
 * The probe, in a thread of its own so the attackers' work in this process does not delay it:
 * GET /health every PROBE_EVERY_MS, one request at a time, until told to stop.
 */
const PROBE_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, every, timeout } = workerData;
let stopped = false;
parentPort.on('message', () => (stopped = true));
(async () => {
  const latencies = [];
  let failures = 0;
  while (!stopped) {
    const started = performance.now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeout) });
      await response.arrayBuffer();
      if (!response.ok) failures++;
      latencies.push(performance.now() - started);
    } catch {
      failures++;
      latencies.push(timeout);
    }
    const wait = every - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  parentPort.postMessage({ latencies, failures });
})();
`;

/** Probes /health until `until` settles. */
async function probe(apiUrl: string, until: Promise<unknown>): Promise<Probe> {
  const thread = new Worker(PROBE_THREAD, {
    eval: true,
    workerData: { url: `${apiUrl}/health`, every: PROBE_EVERY_MS, timeout: PROBE_TIMEOUT_MS },
  });
  const result = new Promise<Probe>((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
  });
  await until.catch(() => {});
  thread.postMessage('stop');
  const figures = await result;
  await thread.terminate();
  return figures;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Attack {
  name: string;
  seconds: number;
  /** Runs until `deadline` (ms, performance.now()); returns what the attacker saw. */
  run(deadline: number): Promise<string>;
}

// ------------------------------------------------------------------------------- attacks

function wsPingFlood(wsUrl: string, sockets = 4): Attack['run'] {
  return async (deadline) => {
    let sent = 0;
    let closes = 0;
    const codes = new Map<number, number>();
    const flood = async () => {
      while (performance.now() < deadline) {
        const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
        await new Promise<void>((resolve) => {
          const finish = () => resolve();
          socket.on('error', finish);
          socket.on('close', (code) => {
            closes++;
            codes.set(code, (codes.get(code) ?? 0) + 1);
            finish();
          });
          socket.on('open', () => {
            const pump = () => {
              // At the deadline the socket is dropped: a flooded server may never finish a close handshake.
              if (performance.now() >= deadline) return socket.terminate();
              if (socket.readyState !== WebSocket.OPEN) return;
              for (let i = 0; i < 1000 && socket.bufferedAmount < 64 * 1024; i++) {
                socket.send('{"type":"ping"}');
                sent++;
              }
              setImmediate(pump);
            };
            pump();
          });
        });
        if (performance.now() < deadline) await sleep(50);
      }
    };
    await Promise.all(Array.from({ length: sockets }, flood));
    const closedWith = [...codes].map(([code, n]) => `${code}×${n}`).join(' ');
    return `${sent.toLocaleString('en-US')} pings sent, ${closes} closes (${closedWith || 'none'})`;
  };
}

function deepJson(apiUrl: string, senders = 3): Attack['run'] {
  const levels = 1_000_000;
  const body = '['.repeat(levels) + ']'.repeat(levels);
  return async (deadline) => {
    const statuses = new Map<string, number>();
    let totalMs = 0;
    let count = 0;
    const send = async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        const status = await fetch(`${apiUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(30_000),
        }).then(
          async (r) => {
            await r.arrayBuffer();
            return String(r.status);
          },
          (error: Error) => error.name,
        );
        totalMs += performance.now() - started;
        count++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: senders }, send));
    const answers = [...statuses].map(([status, n]) => `${status}×${n}`).join(' ');
    return `${count} bodies of 2 MB (${answers}), ${(totalMs / Math.max(count, 1)).toFixed(0)} ms each`;
  };
}

function halfOpen(apiUrl: string, perSecond = 100): Attack['run'] {
  const { hostname, port } = new URL(apiUrl);
  return async (deadline) => {
    const sockets: Socket[] = [];
    let closedByServer = 0;
    let opened = 0;
    while (performance.now() < deadline) {
      for (let i = 0; i < perSecond / 10; i++) {
        const socket = connect(Number(port), hostname);
        socket.on('error', () => {});
        socket.on('close', () => closedByServer++);
        socket.write(`GET /health HTTP/1.1\r\nHost: ${hostname}\r\nX-Slow: `);
        sockets.push(socket);
        opened++;
      }
      await sleep(100);
    }
    const open = opened - closedByServer;
    for (const socket of sockets) socket.destroy();
    return `${opened} connections opened, ${open} still open at the end`;
  };
}

/** Accounts that send `query` back to back (new variables each time), each until the deadline. */
function accountsLoop(
  apiUrl: string,
  tokens: readonly { token: string; portfolioId: string }[],
  query: string,
  variables: (i: number) => Record<string, unknown>,
): Attack['run'] {
  return async (deadline) => {
    let ok = 0;
    let limited = 0;
    let other = 0;
    let n = 0;
    const loop = async ({ token, portfolioId }: { token: string; portfolioId: string }) => {
      while (performance.now() < deadline) {
        const answer = (await post(`${apiUrl}/graphql`, { query, variables: { id: portfolioId, ...variables(n++) } }, token)) as {
          errors?: Array<{ extensions?: { code?: string; retryAfter?: number } }>;
        };
        const code = answer.errors?.[0]?.extensions?.code;
        if (!code) ok++;
        else if (code === 'RATE_LIMITED') {
          limited++;
          // An attacker with its budget spent waits as it is told (but not past the deadline).
          const wait = Math.min((answer.errors![0]!.extensions!.retryAfter ?? 1) * 1000, deadline - performance.now());
          if (wait > 0) await sleep(wait);
        } else other++;
      }
    };
    await Promise.all(tokens.map(loop));
    return `${ok} computed, ${limited} RATE_LIMITED, ${other} other errors`;
  };
}

const SIMULATION = `query Simulation($id: ID!, $seed: Int) {
  portfolio(id: $id) { simulation(paths: 4761, horizonDays: 252, seed: $seed) { expectedValue valueAtRisk } } }`;
const RISK = `query Risk($id: ID!, $confidence: Float) {
  portfolio(id: $id) { risk(confidence: $confidence) { volatility valueAtRisk correlations { coefficient } } } }`;

// ------------------------------------------------------------------------------- setup

async function signUp(apiUrl: string, n: number): Promise<string> {
  const answer = (await post(`${apiUrl}/graphql`, {
    query: 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }',
    variables: { input: { email: `stall-${n}@example.com`, name: `Stall ${n}`, password: 'bench-password-2026' } },
  })) as { data: { register: { accessToken: string } } };
  return answer.data.register.accessToken;
}

/** A portfolio of 50 simulated stocks bought three years ago. */
async function fiftyHoldings(apiUrl: string, token: string): Promise<string> {
  const created = (await post(
    `${apiUrl}/graphql`,
    { query: 'mutation($input: PortfolioInput!) { createPortfolio(input: $input) { id } }', variables: { input: { name: 'Stalls' } } },
    token,
  )) as { data: { createPortfolio: { id: string } } };
  const id = created.data.createPortfolio.id;
  const bought = addDays(isoDateOf(new Date()), -3 * 365);
  const symbols = UNIVERSE.filter((i) => i.exchange && i.type === 'STOCK' && i.currency === 'USD')
    .slice(0, HOLDINGS)
    .map((i) => i.symbol);
  for (const [i, symbol] of symbols.entries()) {
    const added = (await post(
      `${apiUrl}/graphql`,
      {
        query: 'mutation($id: ID!, $input: InvestmentInput!) { addInvestment(portfolioId: $id, input: $input) { id } }',
        variables: { id, input: { symbol, quantity: String(10 + i), purchasePrice: '100', purchaseDate: bought } },
      },
      token,
    )) as { errors?: unknown };
    if (added.errors) throw new Error(`addInvestment failed: ${JSON.stringify(added.errors)}`);
  }
  return id;
}

// ------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  // The production defaults of the limits under attack (withDeployment switches some off).
  const limits = {
    RATE_LIMIT_COST_PER_MINUTE: '20000',
    WS_CONNECTIONS_PER_USER: '10',
    WS_CONNECTIONS_PER_IP: '50',
    SUBSCRIPTIONS_PER_USER: '100',
  };
  await withDeployment(limits, async ({ env, apiUrl, api }) => {
    await stop(api);
    await startPinned('dist/main.js', env, `${apiUrl}/health`);
    const wsUrl = apiUrl.replace(/^http/, 'ws') + '/graphql';

    // Three attacking accounts and one that warms the price history (three years of 50 symbols),
    // so the attackers' budgets are whole when they start.
    const warm = await signUp(apiUrl, 0);
    const warmId = await fiftyHoldings(apiUrl, warm);
    await post(`${apiUrl}/graphql`, { query: RISK, variables: { id: warmId, confidence: 0.95 } }, warm);
    const accounts = [];
    for (let n = 1; n <= 3; n++) {
      const token = await signUp(apiUrl, n);
      accounts.push({ token, portfolioId: await fiftyHoldings(apiUrl, token) });
    }

    const attacks: Attack[] = [
      { name: 'quiet (baseline)', seconds: DURATION_S, run: (deadline) => sleep(deadline - performance.now()).then(() => '') },
      { name: 'ws-ping-flood (4 sockets, before connection_init)', seconds: DURATION_S, run: wsPingFlood(wsUrl) },
      { name: 'deep-json (3 senders, 2 MB, 10^6 levels)', seconds: DURATION_S, run: deepJson(apiUrl) },
      { name: 'half-open (100 connections/s)', seconds: DURATION_S, run: halfOpen(apiUrl) },
      {
        name: 'simulations (3 accounts, 4,761 paths × 252 days × 50 holdings)',
        seconds: 2 * DURATION_S,
        run: accountsLoop(apiUrl, accounts, SIMULATION, (i) => ({ seed: 1000 + i })),
      },
      {
        name: 'risk-busting (3 accounts, a new confidence each time)',
        seconds: DURATION_S,
        run: accountsLoop(apiUrl, accounts, RISK, (i) => ({ confidence: 0.9 + (i + 1) * 1e-7 })),
      },
    ];

    const rows: string[] = [];
    let quietP90 = Number.NaN;
    for (const attack of attacks) {
      // Settle: the previous attack's leftovers drain before the next one starts.
      await sleep(3_000);
      const deadline = performance.now() + attack.seconds * 1000;
      // The probe covers the attack and the answers it still waits for after its deadline (up to
      // 60 s more); the next attack starts once those have come (or 3 minutes have passed), so no
      // attack's leftover work is measured as the next one's.
      const attacking = attack.run(deadline);
      const measured = Promise.race([attacking, sleep(attack.seconds * 1000 + 60_000)]);
      const health = await probe(apiUrl, measured);
      const seen = await Promise.race([attacking, sleep(180_000).then(() => 'still waiting for answers 3 minutes later')]);
      const sorted = [...health.latencies].sort((a, b) => a - b);
      const [p50, p90, max] = [percentile(sorted, 50), percentile(sorted, 90), sorted.at(-1) ?? Number.NaN];
      if (Number.isNaN(quietP90)) quietP90 = p90;
      rows.push(
        `| ${attack.name} | ${p50.toFixed(1)} | ${p90.toFixed(1)} | ${max.toFixed(0)} | ${(p90 / quietP90).toFixed(1)}× | ${health.latencies.length} (${health.failures} failed) | ${seen} |`,
      );
      console.log(rows.at(-1));
    }

    console.log(`\n/health while attacked (production build, API on core 0, ${DURATION_S} s per attack; ms)\n`);
    console.log('| attack | p50 | p90 | max | p90 ÷ quiet p90 | probes | what the attacker saw |');
    console.log('|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  });
}

await main();
process.exit(0);
