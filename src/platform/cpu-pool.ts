/**
 * A bounded pool of worker threads for CPU-heavy work (piscina), so a long computation never
 * holds the event loop: /health, quotes and every other request keep being answered while it runs.
 *
 * - Threads start on the first task (a process that never needs one never starts one) and stay
 *   (minThreads = maxThreads), so a task never waits for a thread to boot twice.
 * - The threads run at a lower scheduling priority (niceIncrement) than the event loop's thread
 *   where the platform allows it: on a busy core the loop is served first.
 * - The queue is bounded: a task that finds it full is refused at once (`PoolFull`), never parked.
 * - The worker module is given as the caller's sibling by name (`siblingModule`): `.ts` when the
 *   caller runs from source (tsx, vitest: the threads load tsx too), `.js` in the production build.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

export interface CpuPoolOptions {
  /** Worker threads (at least 1). */
  threads: number;
  /** Tasks that may wait for a thread; more are refused (PoolFull). */
  queue: number;
}

/** The pool's queue is full: the caller should refuse the request (try again shortly). */
export class PoolFull extends Error {
  constructor() {
    super('The analytics workers are busy');
    this.name = 'PoolFull';
  }
}

/** The URL of the module `name` beside `callerUrl` (import.meta.url), with the caller's own extension. */
export function siblingModule(callerUrl: string, name: string): URL {
  return new URL(`./${name}${extname(fileURLToPath(callerUrl))}`, callerUrl);
}

export class CpuPool {
  private pool: Piscina | null = null;
  private closed = false;
  private inFlight = 0;

  constructor(
    private readonly module: URL,
    private readonly options: CpuPoolOptions,
  ) {}

  /** Tasks running or waiting now (for metrics and tests). */
  get pending(): { running: number; queued: number } {
    const threads = Math.max(1, this.options.threads);
    return { running: Math.min(this.inFlight, threads), queued: Math.max(0, this.inFlight - threads) };
  }

  /** Whether a task now would find the queue full. */
  get full(): boolean {
    return this.pending.queued >= this.options.queue;
  }

  /** Runs the module's export `name` on `task` (structured-cloned) in a worker thread. */
  async run<T>(name: string, task: unknown): Promise<T> {
    if (this.closed) throw new Error('The CPU pool is closed');
    if (this.full) throw new PoolFull();
    const pool = (this.pool ??= this.start());
    this.inFlight++;
    try {
      return (await pool.run(task, { name })) as T;
    } finally {
      this.inFlight--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }

  private start(): Piscina {
    const threads = Math.max(1, this.options.threads);
    const fromSource = this.module.pathname.endsWith('.ts');
    return new Piscina({
      filename: this.module.href,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: 1,
      niceIncrement: 10,
      // From source the threads need tsx as the process has it; the build runs on plain node.
      execArgv: fromSource ? ['--import', 'tsx'] : [],
    });
  }
}
