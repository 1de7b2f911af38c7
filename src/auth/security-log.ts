/**
 * Security events and the account audit trail as structured log lines: `event` names what
 * happened, with the user, session and IP it concerns. Never pass tokens, codes or passwords:
 * the logger redacts the usual field names, but the safest secret is the one never handed over.
 */
import type { FastifyBaseLogger } from 'fastify';

export type SecurityEventName =
  | 'auth.registered'
  | 'auth.login_succeeded'
  | 'auth.login_failed'
  | 'auth.account_locked'
  | 'auth.login_refused_locked'
  | 'auth.mfa_challenge_failed'
  | 'auth.refresh_token_reused'
  | 'auth.sessions_revoked'
  | 'auth.mfa_enabled'
  | 'auth.mfa_disabled'
  | 'auth.mfa_code_rejected'
  | 'auth.email_verified'
  | 'auth.password_changed'
  | 'auth.password_reset'
  | 'auth.api_token_created'
  | 'auth.api_token_revoked'
  | 'auth.api_token_used_from_new_ip'
  | 'auth.account_deleted';

/** Events that may mean an attack in progress are warnings; the rest is the audit trail. */
const WARNINGS: ReadonlySet<SecurityEventName> = new Set([
  'auth.login_failed',
  'auth.account_locked',
  'auth.login_refused_locked',
  'auth.mfa_challenge_failed',
  'auth.refresh_token_reused',
  'auth.mfa_code_rejected',
  'auth.api_token_used_from_new_ip',
]);

export interface SecurityEventFields {
  userId?: string | null;
  sessionId?: string | null;
  ip?: string | null;
  [detail: string]: unknown;
}

type SecurityEventListener = (event: SecurityEventName) => void;
const listeners = new Set<SecurityEventListener>();

/** Hears every security event of this process (metrics count them); returns the unsubscribe function. */
export function onSecurityEvent(listener: SecurityEventListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function securityEvent(log: FastifyBaseLogger, event: SecurityEventName, fields: SecurityEventFields): void {
  for (const listener of listeners) listener(event);
  const line = { event, ...fields };
  if (WARNINGS.has(event)) log.warn(line, `security event ${event}`);
  else log.info(line, `security event ${event}`);
}
