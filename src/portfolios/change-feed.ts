/**
 * Multi-device sync (contract, "Portfolio rules"; Subscription.portfolioChanges). Every change of
 * a portfolio writes an Activity row with the portfolio's next sequence, taken in the change's
 * own transaction (./activity.ts: `UPDATE portfolios SET change_sequence = change_sequence + 1
 * … RETURNING`, whose row lock orders concurrent writers, so sequences have no gaps nor
 * duplicates), and sends a PostgreSQL NOTIFY in that transaction.
 *
 * Why NOTIFY and not Redis pub/sub: PostgreSQL delivers a notification when (and only if) its
 * transaction commits, to every replica listening on the database, so a replica never hears of a
 * change it cannot read yet nor of one that rolled back; a Redis publish from inside the
 * transaction could arrive before the commit, and one after it would need an after-commit hook
 * at every writer. The notification is only a wake-up: a stream always reads the rows after the
 * last sequence it delivered from PostgreSQL, the record of truth, so nothing is missed or
 * repeated at the hand-over from replay to live, after a lost notification (the listening
 * connection reconnects and wakes every stream) or a slow consumer.
 *
 * Each stream: listens first, follows access changes, checks access, then loops — read the rows
 * after `last` (at most a page), check access again, deliver them in order; when there are none,
 * wait for a notification of its portfolio, an access change or the periodic safety net.
 */
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { Db } from '../platform/db.js';
import { notFound } from '../platform/errors.js';
import type { AccessChanges } from './access-changes.js';

export const PORTFOLIO_CHANGES_CHANNEL = 'foliograph_portfolio_changes';
const PAGE = 200;
/** Streams look at PostgreSQL at least this often, whatever they heard. */
const SAFETY_NET_MS = 30_000;
const RECONNECT_MS = 1_000;

export interface PortfolioChangeRow {
  sequence: number;
  portfolioId: string;
  action: string;
  at: Date;
  /** The transaction the change recorded or updated (from the activity's details), if any. */
  transactionId: string | null;
}

type Wake = () => void;

export class PortfolioChangeFeed {
  private readonly streams = new Map<string, Set<Wake>>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: { db: Db; databaseUrl: string; accessChanges: AccessChanges; logger: FastifyBaseLogger }) {}

  /** The portfolio's latest sequence (0 before any change). */
  async latest(portfolioId: string): Promise<number> {
    const row = await this.deps.db.portfolio.findUnique({ where: { id: portfolioId }, select: { changeSequence: true } });
    return row?.changeSequence ?? 0;
  }

  /**
   * The changes after `after` (when null: from now on), in order, then live ones. The caller
   * checked access; `canView` is asked again before every delivery and when access changes.
   */
  async subscribe(
    portfolioId: string,
    after: number | null,
    canView: () => Promise<boolean>,
    subscriberId: string | null,
  ): Promise<AsyncIterableIterator<PortfolioChangeRow>> {
    let ended = false;
    let pending = true;
    let waiter: (() => void) | null = null;
    const wake: Wake = () => {
      pending = true;
      waiter?.();
    };
    let unfollow: (() => void) | null = null;
    let safetyNet: NodeJS.Timeout | null = null;
    const stop = () => {
      if (ended) return;
      ended = true;
      this.streams.get(portfolioId)?.delete(wake);
      if (this.streams.get(portfolioId)?.size === 0) this.streams.delete(portfolioId);
      unfollow?.();
      if (safetyNet) clearInterval(safetyNet);
      waiter?.();
    };

    // Listen first: a change committed from here on wakes this stream.
    let set = this.streams.get(portfolioId);
    if (!set) this.streams.set(portfolioId, (set = new Set()));
    set.add(wake);
    try {
      await this.listening();
      unfollow = await this.deps.accessChanges.follow(portfolioId, subscriberId, wake);
      if (!(await canView())) throw notFound('Portfolio');
    } catch (error) {
      stop();
      throw error;
    }
    safetyNet = setInterval(wake, SAFETY_NET_MS);
    safetyNet.unref();
    let last = after ?? (await this.latest(portfolioId));
    const buffer: PortfolioChangeRow[] = [];

    const iterator: AsyncIterableIterator<PortfolioChangeRow> = {
      next: async () => {
        while (!ended) {
          const row = buffer.shift();
          if (row) return { value: row, done: false };
          if (pending) {
            pending = false;
            if (!(await canView())) {
              stop();
              throw notFound('Portfolio');
            }
            const rows = await this.read(portfolioId, last);
            if (rows.length > 0) {
              last = rows[rows.length - 1]!.sequence;
              buffer.push(...rows);
              // A full page: more may follow without a notification.
              if (rows.length === PAGE) pending = true;
            }
            continue;
          }
          await new Promise<void>((resolve) => {
            waiter = resolve;
          });
          waiter = null;
        }
        return { value: undefined, done: true };
      },
      return: async () => {
        stop();
        return { value: undefined, done: true };
      },
      throw: async (error: unknown) => {
        stop();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return iterator;
  }

  private async read(portfolioId: string, after: number): Promise<PortfolioChangeRow[]> {
    const rows = await this.deps.db.portfolioActivity.findMany({
      where: { portfolioId, sequence: { gt: after } },
      orderBy: { sequence: 'asc' },
      take: PAGE,
      select: { sequence: true, portfolioId: true, action: true, createdAt: true, details: true },
    });
    return rows.map((row) => {
      const details = row.details as { transactionId?: unknown } | null;
      return {
        sequence: row.sequence!,
        portfolioId: row.portfolioId,
        action: row.action,
        at: row.createdAt,
        transactionId: typeof details?.transactionId === 'string' ? details.transactionId : null,
      };
    });
  }

  /** The one LISTEN connection of this instance, opened with the first stream. */
  private listening(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.deps.databaseUrl });
    client.on('notification', (message) => {
      const [portfolioId] = (message.payload ?? '').split(':');
      for (const wake of this.streams.get(portfolioId ?? '') ?? []) wake();
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners('end');
      void client.end().catch(() => {});
      if (this.closed) return;
      this.deps.logger.warn({ err: error }, 'portfolio changes: the LISTEN connection was lost; reconnecting');
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        // Notifications sent while away are lost: every stream looks at PostgreSQL again.
        this.listening().then(
          () => this.wakeAll(),
          () => lost(),
        );
      }, RECONNECT_MS);
      this.reconnectTimer.unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    await client.query(`LISTEN ${PORTFOLIO_CHANGES_CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
  }

  private wakeAll(): void {
    for (const set of this.streams.values()) for (const wake of set) wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}
