/**
 * What the load benchmarks share: a scratch database migrated like production, the API started
 * as a production process pinned to core 0 (the load generator, this process, runs on core 1),
 * and a user signed up through the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { migrate } from '../../src/platform/migrate.js';
import { PROJECT_ROOT } from '../../src/platform/paths.js';
import { databaseUrl, withAdmin } from '../../test/db.js';

const children: ChildProcess[] = [];

export function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** BENCH_CPU_PROF=<dir>: the servers write V8 CPU profiles there (`node --cpu-prof`) when stopped. */
function profileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
}

/**
 * A server process pinned to core 0, resolved once `readyUrl` answers. A `.js` script (the
 * production build, `npm run build` → dist/) runs on plain node; TypeScript through tsx.
 */
export async function startPinned(script: string, env: Record<string, string>, readyUrl: string): Promise<ChildProcess> {
  const loader = script.endsWith('.js') ? [] : ['--import', 'tsx'];
  const child = // `node --import tsx` (not the tsx CLI, which forks): the pid is the server's own, for /proc.
    spawn('taskset', ['-c', '0', process.execPath, ...profileFlags(), ...loader, script], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (data) => (output += String(data)));
  child.stderr!.on('data', (data) => (output += String(data)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`${script} did not start:\n${output}`);
    if (
      await fetch(readyUrl).then(
        (r) => r.status < 500,
        () => false,
      )
    )
      return child;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

export async function stopAll(): Promise<void> {
  for (const child of children) await stop(child);
}

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  const line =
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:')) ?? 'VmRSS: 0 kB';
  return Number(line.split(/\s+/)[1]) / 1024;
}

export async function post(url: string, body: unknown, token = ''): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return response.json();
}

export interface BenchDeployment {
  databaseUrl: string;
  env: Record<string, string>;
  apiUrl: string;
  api: ChildProcess;
  token: string;
  userId: string;
}

/** Runs `body` against a scratch database and a production API process; cleans up after. */
export async function withDeployment<T>(extraEnv: Record<string, string>, body: (d: BenchDeployment) => Promise<T>): Promise<T> {
  // BENCH_DATABASE, BENCH_REDIS_PREFIX, BENCH_PORT: fixed names on a shared machine (else fresh ones).
  const database = process.env.BENCH_DATABASE ?? `foliograph_bench_${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;
  const url = databaseUrl(database);
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  await withAdmin((c) => c.query(`CREATE DATABASE ${database}`));
  try {
    await migrate(url);
    const { privateKey } = generateKeyPairSync('ed25519');
    const port = Number(process.env.BENCH_PORT ?? 0) || (await freePort());
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: url,
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: process.env.BENCH_REDIS_PREFIX ?? `bench:${randomBytes(4).toString('hex')}:`,
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      MFA_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
      SMTP_URL: 'smtp://127.0.0.1:9',
      PUBLIC_URL: 'https://api.bench.example',
      MARKET_FEED_INTERVAL_MS: '0',
      // Limits that would throttle one user's load test: the benchmarks switch them off.
      REGISTRATIONS_PER_IP_PER_HOUR: '0',
      RATE_LIMIT_COST_PER_MINUTE: '0',
      WS_CONNECTIONS_PER_USER: '0',
      WS_CONNECTIONS_PER_IP: '0',
      SUBSCRIPTIONS_PER_USER: '0',
      ...extraEnv,
    };
    const apiUrl = `http://127.0.0.1:${port}`;
    const api = await startPinned('src/main.ts', env, `${apiUrl}/health`);
    const signUp = (await post(`${apiUrl}/graphql`, {
      query: 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
      variables: { input: { email: 'bench@example.com', name: 'Bench', password: 'bench-password-2026' } },
    })) as { data: { register: { accessToken: string; user: { id: string } } } };
    const { accessToken: token, user } = signUp.data.register;
    return await body({ databaseUrl: url, env, apiUrl, api, token, userId: user.id });
  } finally {
    await stopAll();
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
}
