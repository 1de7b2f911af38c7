/**
 * What other domains may know of an account, read through auth's door (auth owns `users`): the
 * notify-email worker's recipient, the one-click unsubscribe's check that the user exists, and
 * portfolios' shares and invitations (who is behind an address, a sharer's name). Each is one
 * statement, and takes the caller's transaction where it has one.
 */
import type { Db, Prisma } from '../platform/db.js';

type DbOrTx = Db | Prisma.TransactionClient;

/** A user's address and name; null when the user is gone. */
export function userContact(db: DbOrTx, userId: string): Promise<{ email: string; name: string } | null> {
  return db.user.findUnique({ where: { id: userId }, select: { email: true, name: true } });
}

/** A user's address and name; throws Prisma's not-found error when the user is gone. */
export function existingUserContact(db: DbOrTx, userId: string): Promise<{ email: string; name: string }> {
  return db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true } });
}

/** True while the user exists. */
export async function userExists(db: DbOrTx, userId: string): Promise<boolean> {
  return (await db.user.findUnique({ where: { id: userId }, select: { id: true } })) !== null;
}

/**
 * The account behind an address (already normalised: normalizeEmail); null when none.
 * emailVerified says whether the account has proven the address: grants keyed by an address
 * (shares, invitations) go only to an account that has.
 */
export function userByEmail(db: DbOrTx, email: string): Promise<{ id: string; email: string; emailVerified: boolean } | null> {
  return db.user.findUnique({ where: { email }, select: { id: true, email: true, emailVerified: true } });
}
