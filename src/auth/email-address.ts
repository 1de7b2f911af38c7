/**
 * The one reading of an email address, shared by registration, password reset, invitations
 * and shares: trimmed and lower-cased, then checked with zod's email format (ASCII only), so an
 * address registration refuses can never be invited, and an invitation's address always
 * compares equal to the account that later proves it.
 */
import { z } from 'zod';

export const EMAIL_MAX_LENGTH = 255;
const emailFormat = z.email();

/** Emails are compared and stored trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The normalised address, or null when registration would refuse it. */
export function acceptedEmail(input: string): string | null {
  const email = normalizeEmail(input);
  return email.length <= EMAIL_MAX_LENGTH && emailFormat.safeParse(email).success ? email : null;
}
