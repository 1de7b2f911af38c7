/**
 * What other domains may know of an account, read through auth's door (auth owns `users`): the
 * notify-email worker's recipient and the one-click unsubscribe's check that the user exists.
 */
import type { Db } from '../platform/db.js';

/** A user's address and name; null when the user is gone. One statement. */
export function userContact(db: Db, userId: string): Promise<{ email: string; name: string } | null> {
  return db.user.findUnique({ where: { id: userId }, select: { email: true, name: true } });
}

/** True while the user exists. One statement. */
export async function userExists(db: Db, userId: string): Promise<boolean> {
  return (await db.user.findUnique({ where: { id: userId }, select: { id: true } })) !== null;
}
