/**
 * Notifications: stored per user (kept 90 days), pushed live to the user's subscribers on every
 * API replica through the Redis channel `${prefix}notifications:<userId>` (the row as JSON).
 * Whoever creates one (the alert evaluator, the report job) calls `createNotification`, which
 * inserts and then publishes: a subscriber never hears of a notification that is not stored.
 */
import type { RedisChannels } from '../platform/redis-channels.js';
import type { Redis } from '../platform/redis.js';
import { BoundedQueue } from '../platform/bounded-queue.js';
import type { Db } from '../platform/db.js';
import type { Prisma } from '../generated/prisma/client.js';

export const NOTIFICATION_RETENTION_DAYS = 90;

export interface NotificationRecord {
  id: string;
  userId: string;
  kind: string;
  title: string;
  body: string;
  createdAt: Date;
  readAt: Date | null;
}

export function notificationChannel(prefix: string, userId: string): string {
  return `${prefix}notifications:${userId}`;
}

export async function publishNotification(redis: Redis, prefix: string, notification: NotificationRecord): Promise<void> {
  await redis.publish(notificationChannel(prefix, notification.userId), JSON.stringify(notification));
}

function decode(message: string): NotificationRecord {
  const parsed = JSON.parse(message) as NotificationRecord & { createdAt: string; readAt: string | null };
  return { ...parsed, createdAt: new Date(parsed.createdAt), readAt: parsed.readAt ? new Date(parsed.readAt) : null };
}

type Tx = Pick<Db, 'notification'> | Prisma.TransactionClient;

/** Inserts the notification in `tx` (the caller's transaction, if any); publish it after commit. */
export function insertNotification(
  tx: Tx,
  input: { userId: string; kind: string; title: string; body: string },
): Promise<NotificationRecord> {
  return tx.notification.create({ data: { ...input, title: input.title.slice(0, 255) } });
}

/** A user's live notifications on this instance, as an async iterator with a bounded queue. */
export async function subscribeNotifications(
  channels: RedisChannels,
  prefix: string,
  userId: string,
): Promise<BoundedQueue<NotificationRecord>> {
  let stop: (() => void) | null = null;
  const queue = new BoundedQueue<NotificationRecord>(100, () => stop?.());
  stop = await channels.listen(notificationChannel(prefix, userId), (message) => {
    try {
      queue.push(decode(message));
    } catch {
      // A malformed message is nobody's notification.
    }
  });
  return queue;
}

/** Deletes notifications older than the retention period; returns how many. */
export async function deleteOldNotifications(db: Db, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - NOTIFICATION_RETENTION_DAYS * 24 * 60 * 60 * 1000);
  const { count } = await db.notification.deleteMany({ where: { createdAt: { lt: before } } });
  return count;
}
