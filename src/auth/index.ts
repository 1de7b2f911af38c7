/**
 * auth's door: accounts, sessions, tokens, MFA, rate limits and account email. Outside auth,
 * import from here only. Importing it registers auth's GraphQL types on the builder.
 */
import './schema.js';

export { AuthService } from './service.js';
export { acceptedEmail, normalizeEmail } from './email-address.js';
export type { AuthDeps, ClientInfo } from './deps.js';
export { SessionRevocations } from './revocation.js';
export { TokenSigner } from './tokens.js';
export { resealMfaSecrets } from './mfa.js';
export { authenticate, resolveViewer, requireViewer, viewerAuthority, type AuthenticatedViewer, type TokenRefusal } from './viewer.js';
export { hashPassword } from './passwords.js';
export { deleteStaleAuthRows } from './cleanup.js';
export { onSecurityEvent } from './security-log.js';
export { SlidingWindowLimiter } from './rate-limit.js';
export { UserRef } from './schema.js';
export { startEmailWorker, invitationLink, loginAlertEmail, openCategoryEmailJob, EMAIL_CATEGORIES } from './email.js';
export type { CategoryEmailJob, EmailCategory, SealedCategoryEmailJob } from './email.js';
export { EmailOutbox } from './email-outbox.js';
export { deliverOnce } from './email-delivery.js';
export { existingUserContact, userByEmail, userContact, userExists } from './contacts.js';
export { newOpaqueToken, sha256Hex } from './opaque.js';
export { ApiTokens, canMutate, requireSessionViewer, API_TOKEN_PREFIX } from './api-tokens.js';
export { writeGuardPlugin } from './write-guard.js';
