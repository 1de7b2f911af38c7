/**
 * Where an analytics report is computed, and what it costs the caller (issue 21: one account
 * must not be able to take the process).
 *
 * - Work is estimated before it starts, in cells (a simulation's unit): a simulation's paths ×
 *   horizonDays × holdings (what the core bounds), plus for every report the calendar days of
 *   its window × its symbols (holdings and extra ones: benchmark, factors) × WINDOW_CELL_WEIGHT.
 * - The caller's request budget is charged for it before the work starts, one unit per
 *   CELLS_PER_BUDGET_UNIT cells on top of the query's complexity (so the budget counts CPU,
 *   not fields); over the budget: RATE_LIMITED with retryAfter, and nothing is computed.
 * - Work of at least `offloadCells` runs in the worker threads (platform/cpu-pool.ts, module
 *   ./compute-worker.ts); smaller work runs inline, where a thread hop would cost more than it
 *   saves. A caller may have `concurrencyPerUser` computations in the threads at a time, across
 *   replicas (RATE_LIMITED beyond); a full queue refuses the same way.
 * A cached report costs nothing of this: the service only comes here on a cache miss.
 */
import type { Redis } from '../platform/redis.js';
import { ConcurrencySlots } from '../platform/concurrency-slots.js';
import { CpuPool, PoolFull, siblingModule } from '../platform/cpu-pool.js';
import { rateLimited } from '../platform/errors.js';
import type { RequestBudget } from '../platform/request-budget.js';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReportKind } from './cache.js';
import { calendarDaysBetween, type DateRange, type PriceTable } from './core/index.js';
import type { ClosesRow } from './close-rows.js';
import * as tasks from './compute-worker.js';
import type { ReportTask } from './compute-worker.js';

/**
 * Cells one budget unit buys: about 0.7 ms of one core. Measured here (Node 24, one core): a
 * simulation computes 25,000 to 37,000 cells a millisecond (4,761 paths × 252 days × 50
 * holdings, the largest allowed, ≈ 2 s: 3,000 units); risk, performance and factor exposure
 * cover 1,300 to 2,500 (calendar day × symbol) a millisecond (risk over 10 years of 50 holdings
 * ≈ 85 ms), hence the window's weight of 15 cells per day and symbol.
 */
export const CELLS_PER_BUDGET_UNIT = 20_000;
export const WINDOW_CELL_WEIGHT = 15;

/** Who asks: whose budget and concurrency the work counts against. */
export interface ComputeCaller {
  /** The request budget's subject (`budgetSubject`: user, or IP when anonymous). */
  subject: string;
}

export interface ReportComputerOptions {
  redis: Redis;
  prefix: string;
  registry: Registry;
  /** The API's request budget (none in the worker process: jobs have no caller). */
  budget?: RequestBudget | null;
  threads: number;
  queue: number;
  concurrencyPerUser: number;
  offloadCells: number;
}

type Task = Parameters<(typeof tasks)[ReportKind]>[0];

/** The cells of a window of `range` over `symbols` symbols (valuation, returns, correlations). */
export function windowCells(range: DateRange, symbols: number): number {
  const days = range.from <= range.to ? calendarDaysBetween(range.from, range.to) + 1 : 0;
  return days * Math.max(symbols, 1) * WINDOW_CELL_WEIGHT;
}

/** The budget units `cells` of work cost. */
export function budgetUnits(cells: number): number {
  return Math.ceil(cells / CELLS_PER_BUDGET_UNIT);
}

export class ReportComputer {
  private readonly pool: CpuPool;
  private readonly slots: ConcurrencySlots;
  private readonly offloaded: Counter<'report'>;

  constructor(private readonly options: ReportComputerOptions) {
    this.pool = new CpuPool(siblingModule(import.meta.url, 'compute-worker'), { threads: options.threads, queue: options.queue });
    this.slots = new ConcurrencySlots(options.redis, `${options.prefix}analytics-running:`, options.concurrencyPerUser);
    this.offloaded = new Counter({
      name: 'foliograph_analytics_offloaded_total',
      help: 'Analytics reports computed in the worker threads (over the size threshold), by report',
      labelNames: ['report'] as const,
      registers: [options.registry],
    });
    const pool = this.pool;
    new Gauge({
      name: 'foliograph_analytics_worker_tasks',
      help: 'Analytics computations in the worker threads now, running or queued',
      labelNames: ['state'] as const,
      registers: [options.registry],
      collect() {
        const { running, queued } = pool.pending;
        this.set({ state: 'running' }, running);
        this.set({ state: 'queued' }, queued);
      },
    });
  }

  /** Tasks in the worker threads now. */
  get pending(): { running: number; queued: number } {
    return this.pool.pending;
  }

  /**
   * Charges `caller` for `cells` of work, then loads the report's task and computes it inline or
   * in a thread. `caller` null: a job's own work (no budget, no cap).
   */
  async run<K extends ReportKind>(
    kind: K,
    cells: number,
    caller: ComputeCaller | null,
    /** Reads the report's data; `priceTable` parses the closes read (in a thread when the report goes there). */
    load: (priceTable: (rows: readonly ClosesRow[]) => Promise<PriceTable>) => Promise<ReportTask<unknown>>,
  ): Promise<ReturnType<(typeof tasks)[K]>> {
    const offload = cells >= this.options.offloadCells;
    // A refusal (too many at once, a full queue, the budget) comes before anything is read or charged.
    const release = offload && caller ? await this.slots.take(caller.subject) : null;
    if (offload && caller && !release) {
      throw rateLimited(
        1,
        `At most ${this.options.concurrencyPerUser} analytics computations of one account run at a time; try again when one has finished`,
      );
    }
    try {
      if (offload && this.pool.full) throw new PoolFull();
      await this.charge(caller, cells);
      const task = await load(offload ? (rows) => this.pool.run<PriceTable>('priceTable', rows) : async (rows) => tasks.priceTable(rows));
      if (!offload) return (tasks[kind] as (task: Task) => ReturnType<(typeof tasks)[K]>)(task as Task);
      this.offloaded.inc({ report: kind });
      return await this.pool.run(kind, task);
    } catch (error) {
      if (error instanceof PoolFull) throw rateLimited(1, 'The analytics workers are busy; try again shortly');
      throw error;
    } finally {
      await release?.();
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async charge(caller: ComputeCaller | null, cells: number): Promise<void> {
    const budget = this.options.budget;
    const units = budgetUnits(cells);
    if (!caller || !budget?.enabled || units <= 0) return;
    // As the request budget's hook: an unexpected failure serves rather than refuses.
    const decision = await budget.charge(caller.subject, units).catch(() => null);
    if (decision && !decision.allowed) {
      throw rateLimited(
        decision.resetSeconds,
        `Request budget used up: this computation costs ${units} units and ${decision.remaining} are left this minute`,
      );
    }
  }
}
