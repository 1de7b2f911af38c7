/**
 * Fault injection for tests: a Redis server of the test's own (a second `redis-server` process
 * on a free port, without persistence) that can be stopped, frozen and restarted empty, and a
 * TCP proxy in front of PostgreSQL that can drop every connection or swallow traffic. Only
 * 127.0.0.1; the shared Redis and PostgreSQL are never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class RedisServer {
  private process: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.spawn();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again), empty: no RDB, no AOF. */
  async spawn(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
      {
        stdio: 'ignore',
      },
    );
    this.process = child;
    await waitUntil(() => canConnect(this.port), 5000, 'redis-server did not accept connections');
  }

  /** True while its process runs (and accepts connections, unless frozen). */
  async running(): Promise<boolean> {
    return this.process !== null && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Kills it (SIGKILL: no goodbye to clients, like a crash) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** SIGSTOP: connections stay open, nothing answers. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  async restartEmpty(): Promise<void> {
    await this.stop();
    await this.spawn();
  }
}

/**
 * Forwards 127.0.0.1:<port> to a target. `drop()` closes every connection and refuses new ones
 * (a database that went away); `blackhole()` accepts and holds connections but forwards nothing
 * (a network that silently loses packets); `heal()` goes back to forwarding.
 */
export class TcpProxy {
  private mode: 'forward' | 'drop' | 'blackhole' = 'forward';
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private readonly held = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = createServer((client) => proxy!.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  drop(): void {
    this.mode = 'drop';
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const { client, upstream } of this.pairs) {
      // Stop forwarding both ways; the sockets stay open.
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
      this.held.add(client);
      this.held.add(upstream);
    }
    this.pairs.clear();
  }

  heal(): void {
    this.mode = 'forward';
    // Held connections have lost bytes in between: end them, as a real network timeout would.
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.drop();
    for (const socket of this.held) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    if (this.mode === 'drop') {
      client.destroy();
      return;
    }
    if (this.mode === 'blackhole') {
      client.pause();
      this.held.add(client);
      client.on('error', () => {});
      return;
    }
    const upstream = connect(port, host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** Collects the app's log lines (pass as BuildOptions.logStream) for assertions. */
export class LogLines {
  readonly lines: Array<{ level: number; msg: string; [key: string]: unknown }> = [];

  write(line: string): void {
    try {
      this.lines.push(JSON.parse(line));
    } catch {
      this.lines.push({ level: 0, msg: line });
    }
  }

  matching(pattern: RegExp, minLevel = 0): string[] {
    return this.lines.filter((l) => l.level >= minLevel && pattern.test(l.msg)).map((l) => l.msg);
  }
}

/** Everything written to stderr (and console.error) while `capture` is on. */
export function captureStderr(): { text(): string; restore(): void } {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const consoleError = console.error;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(String(chunk));
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  console.error = (...args: unknown[]) => {
    chunks.push(args.map(String).join(' '));
    consoleError(...args);
  };
  return {
    text: () => chunks.join(''),
    restore: () => {
      process.stderr.write = write;
      console.error = consoleError;
    },
  };
}

/** Runs `request` every `everyMs` until stopped; records each one's duration and outcome. */
export function steadyLoad<T>(request: () => Promise<T>, everyMs: number): { stop(): Promise<Array<{ ms: number; result: T | Error }>> } {
  const results: Array<{ ms: number; result: T | Error }> = [];
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const started = performance.now();
    const p: Promise<void> = request()
      .then(
        (result) => {
          results.push({ ms: performance.now() - started, result });
        },
        (error: unknown) => {
          results.push({ ms: performance.now() - started, result: error instanceof Error ? error : new Error(String(error)) });
        },
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return results;
    },
  };
}
