import type { Db } from '../platform/db.js';

/**
 * The worker's side (issue 21: exactly once, even after a SIGKILL or an empty Redis): `send`
 * runs with the job's outbox row locked, and the row is marked sent in the same transaction. A
 * row already sent (a job queued again, or retried after the worker died past the commit) is
 * not sent again; without a row id (jobs queued before rows were kept) it just sends.
 * Returns whether `send` ran.
 */
export async function deliverOnce(db: Db, outboxId: string | undefined, send: () => Promise<void>): Promise<boolean> {
  if (!outboxId) {
    await send();
    return true;
  }
  return db.$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<Array<{ sent: boolean }>>`
        SELECT sent_at IS NOT NULL AS sent FROM email_outbox WHERE id = ${outboxId}::uuid FOR UPDATE`;
      if (rows.length === 0 || rows[0]!.sent) return false;
      await send();
      await tx.emailOutbox.update({ where: { id: outboxId }, data: { sentAt: new Date() } });
      return true;
    },
    // An SMTP server may take a while to accept; the lock is only this row's.
    { timeout: 120_000, maxWait: 10_000 },
  );
}
