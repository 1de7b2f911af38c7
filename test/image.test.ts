/**
 * The container image as the Dockerfile builds it, without a container engine (none runs here):
 * its stages are assembled in temporary directories by following the Dockerfile's own
 * COPY/RUN/ENV/USER/CMD lines, then the API and the worker start from the runtime tree as a
 * non-root user on a read-only tree (as Kubernetes runs them), and must become ready.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { databaseUrl, testDatabaseName, withAdmin } from './db.js';

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages: instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = rest.split('=');
      args.set(name, value);
      continue;
    }
    if (upper === 'FROM') {
      const expanded = rest.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => args.get(a ?? b ?? '') ?? '');
      const [image = '', , name = ''] = expanded.split(/\s+/);
      stages.push({ image, name, instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push({ keyword: upper, args: rest });
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'foliograph-image-'));
const children: ChildProcess[] = [];
const databases: string[] = [];

/** `COPY [--from=stage] [--chown=…] src… dest` relative to WORKDIR, from the context or a stage's tree. */
function copy(args: string, workdir: string, trees: Map<string, string>): void {
  const words = args.split(/\s+/);
  let from = PROJECT_ROOT;
  const paths: string[] = [];
  for (const word of words) {
    const stage = /^--from=(.+)$/.exec(word)?.[1];
    if (stage) {
      const tree = trees.get(stage);
      if (!tree) throw new Error(`COPY --from=${stage}: no such stage`);
      from = tree;
    } else if (!word.startsWith('--')) paths.push(word);
  }
  const dest = paths.pop() ?? '.';
  // A stage tree stands in for the stage's filesystem root; /app is its WORKDIR.
  const resolve = (path: string) => (from === PROJECT_ROOT ? join(from, path) : join(from, path.replace(/^\/app\/?/, '')));
  const target = join(workdir, dest);
  for (const source of paths) {
    const origin = resolve(source);
    if (!existsSync(origin)) throw new Error(`COPY ${source}: not in ${from === PROJECT_ROOT ? 'the build context' : 'the stage'}`);
    const into = dest.endsWith('/') || paths.length > 1 ? join(target, source.split('/').pop() ?? '') : target;
    mkdirSync(join(into, '..'), { recursive: true });
    cpSync(origin, into, { recursive: true, dereference: false });
  }
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync('sh', ['-c', command], { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`RUN ${command} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/**
 * Follows one stage's instructions in `dir` (its WORKDIR). `npm ci` in the build stage is stood in
 * for by this checkout's node_modules (installed from the same lock file); everything else runs
 * as written, except `npm cache clean`, which would empty this machine's cache.
 */
function assemble(
  stage: Stage,
  dir: string,
  trees: Map<string, string>,
): { env: Record<string, string>; user: string; cmd: string[]; healthcheck: string } {
  const env: Record<string, string> = {};
  let user = 'root';
  let cmd: string[] = [];
  let healthcheck = '';
  mkdirSync(dir, { recursive: true });
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'WORKDIR') expect(args).toBe('/app');
    else if (keyword === 'COPY') copy(args, dir, trees);
    else if (keyword === 'ENV') {
      for (const pair of args.split(/\s+/)) {
        const [name = '', value = ''] = pair.split('=');
        env[name] = value;
      }
    } else if (keyword === 'USER') user = args;
    else if (keyword === 'CMD') cmd = JSON.parse(args) as string[];
    else if (keyword === 'HEALTHCHECK') healthcheck = args.replace(/^.*?\bCMD\s+/, '');
    else if (keyword === 'RUN') {
      const steps = args.split('&&').map((s) => s.trim());
      for (const step of steps) {
        if (/^npm cache clean/.test(step)) continue;
        if (stage.name === 'build' && /^npm ci\b/.test(step)) {
          symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
          continue;
        }
        // Offline when the machine's npm cache has every package (it does after this checkout's own npm ci).
        sh(step, dir, { ...process.env, ...env, npm_config_prefer_offline: 'true', npm_config_loglevel: 'error' });
      }
    }
  }
  return { env, user, cmd, healthcheck };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  child: ChildProcess,
  output: () => string,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${what}:\n${output()}`);
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs the image's command as `nobody` (the image's USER is a non-root user too). */
function run(tree: string, command: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, ...command.slice(1)], {
    cwd: tree,
    env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  return { child, output: () => output };
}

const runtimeDir = join(work, 'runtime');
let runtime: ReturnType<typeof assemble>;
let env: Record<string, string>;

beforeAll(async () => {
  chmodSync(work, 0o755);
  const trees = new Map<string, string>();
  for (const stage of dockerfile) {
    const dir = stage === dockerfile.at(-1) ? runtimeDir : join(work, stage.name);
    const result = assemble(stage, dir, trees);
    trees.set(stage.name, dir);
    if (stage === dockerfile.at(-1)) runtime = result;
  }
  // Read-only, as `readOnlyRootFilesystem: true` mounts it.
  sh(`chmod -R a-w ${runtimeDir}`, work, process.env);
  const name = testDatabaseName('image');
  databases.push(name);
  const { privateKey } = generateKeyPairSync('ed25519');
  env = {
    ...runtime.env,
    DATABASE_URL: databaseUrl(name),
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `test:image:${name}:`,
    HOST: '127.0.0.1',
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    MFA_ENCRYPTION_KEY: 'image-test-key-with-more-than-32-characters',
    SMTP_URL: 'smtp://127.0.0.1:2525',
    PUBLIC_URL: 'https://api.example.com',
    APP_URL: 'https://app.example.com',
    MARKET_FEED_INTERVAL_MS: '0',
    METRICS_TOKEN: 'image-test-metrics-token',
  };
}, 600_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const name of databases) await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  spawnSync('chmod', ['-R', 'u+w', work]);
  rmSync(work, { recursive: true, force: true });
}, 300_000);

describe('the image', () => {
  it('is built on a supported Node LTS, the one package.json requires', () => {
    const engines = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const major = /(\d+)/.exec(engines)?.[1];
    for (const stage of dockerfile) expect(stage.image).toMatch(new RegExp(`^node:${major}\\.\\d+\\.\\d+-bookworm-slim$`));
    expect(runtime.user).not.toMatch(/^(root|0)$/);
    expect(runtime.env.NODE_ENV).toBe('production');
  });

  it('starts the API as a non-root user on a read-only tree: ready, healthy by its own HEALTHCHECK', async () => {
    const port = await freePort();
    const api = run(runtimeDir, runtime.cmd, { ...env, PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    const ready = await waitFor(
      async () => {
        const response = await fetch(`${base}/ready`).catch(() => undefined);
        // 200 comes as soon as PostgreSQL answers (Redis may still be connecting: "degraded").
        if (response?.status !== 200) return undefined;
        const body = (await response.json()) as { status: string };
        return body.status === 'ready' ? body : undefined;
      },
      '/ready',
      api.child,
      api.output,
    );
    expect(ready).toMatchObject({ status: 'ready', database: 'ok', redis: 'ok' });
    // The common-password list is data the code reads at run time: it came along into dist/.
    const register = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($input: RegisterInput!) { register(input: $input) { __typename } }',
        variables: { input: { email: 'image@example.com', password: 'password123', name: 'Image' } },
      }),
    });
    expect(JSON.stringify(await register.json())).toMatch(/too common/);
    const health = spawnSync('sh', ['-c', runtime.healthcheck], { cwd: runtimeDir, env: { PATH: process.env.PATH, PORT: String(port) } });
    expect(health.status).toBe(0);
    expect(api.output()).not.toMatch(/ENOENT|EACCES|EROFS/);
  });

  it('starts the worker from the same tree, serving its metrics port', async () => {
    const metricsPort = await freePort();
    const worker = run(runtimeDir, ['node', 'dist/worker.js'], { ...env, METRICS_PORT: String(metricsPort) });
    const status = await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
          headers: { authorization: `Bearer ${env.METRICS_TOKEN}` },
        }).catch(() => undefined);
        return response?.status;
      },
      'the worker metrics port',
      worker.child,
      worker.output,
    );
    expect(status).toBe(200);
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output()).not.toMatch(/ENOENT|EACCES|EROFS/);
  });
});
