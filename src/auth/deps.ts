import type { AppServices } from '../services.js';

/** What the auth services need from the app's shared services. */
export type AuthDeps = Pick<AppServices, 'config' | 'db' | 'redis' | 'logger' | 'tokens' | 'revocations'>;

/** Where a request comes from: recorded on sessions, used for per-IP limits and alerts. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}
