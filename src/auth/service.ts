/**
 * Accounts: registration, sign-in (with MFA challenges), email verification, password reset and
 * change. Sessions and tokens live in sessions.ts, MFA in mfa.ts, brute-force limits in
 * brute-force.ts; this service holds them together and is what resolvers call
 * (ctx.services.auth). It imports nothing from GraphQL.
 */
import type { User } from '../generated/prisma/client.js';
import { BackgroundTasks } from '../platform/background.js';
import { Prisma } from '../platform/db.js';
import { AppError, badInput, conflict, unauthenticated, type FieldProblem } from '../platform/errors.js';
import { ApiTokens } from './api-tokens.js';
import { BruteForceGuard, accountLocked, subjects } from './brute-force.js';
import type { AuthDeps, ClientInfo } from './deps.js';
import { acceptedEmail, normalizeEmail } from './email-address.js';
import { EmailOutbox } from './email-outbox.js';
import { MfaService, invalidMfaCode } from './mfa.js';
import { OneTimeTokens } from './one-time-tokens.js';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { passwordProblems } from './password-policy.js';
import { RegistrationLimit } from './registration-limit.js';
import { securityEvent } from './security-log.js';
import { SessionService, type AuthPayloadData } from './sessions.js';

export type { AuthPayloadData } from './sessions.js';
export type { ClientInfo } from './deps.js';

/** What login returns when the account has MFA on (the contract's MfaChallenge). */
export interface MfaChallengeData {
  challengeToken: string;
  expiresAt: Date;
}

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
}

const NAME_MAX_LENGTH = 255;

const invalidCredentials = () => unauthenticated('Invalid email or password');
const invalidLinkToken = () => badInput([{ field: 'token', message: 'is invalid, expired or already used' }]);

/** See AuthService.onAccountDeletion. */
export type AccountDeletionHook = (tx: Prisma.TransactionClient, userId: string) => Promise<() => Promise<void>>;

export class AuthService {
  readonly sessions: SessionService;
  readonly mfa: MfaService;
  readonly apiTokens: ApiTokens;
  /** Work that requests start and do not wait for; close() waits for it. */
  readonly background: BackgroundTasks;
  readonly outbox: EmailOutbox;
  private readonly guard: BruteForceGuard;
  private readonly oneTimeTokens: OneTimeTokens;
  private readonly registrationLimit: RegistrationLimit;
  private readonly verifiedHooks: Array<(user: { id: string; email: string }) => Promise<void>> = [];
  private readonly deletionHooks: AccountDeletionHook[] = [];

  constructor(private readonly deps: AuthDeps) {
    this.background = new BackgroundTasks(deps.logger);
    this.outbox = new EmailOutbox(deps, this.background);
    this.guard = new BruteForceGuard(deps);
    this.oneTimeTokens = new OneTimeTokens(deps.db);
    this.registrationLimit = new RegistrationLimit(deps);
    this.sessions = new SessionService(deps, this.outbox);
    this.mfa = new MfaService(deps, this.guard);
    this.apiTokens = new ApiTokens(deps, this.outbox);
  }

  /**
   * Work a higher layer does once an account has proven its address (a verification link, or a
   * reset link, which reached the same inbox): portfolios turns invitations to that address into
   * shares. Registering alone proves nothing, so grants keyed by an address wait for this.
   * Runs before verifyEmail/resetPassword answers; auth itself knows nothing of it.
   */
  afterEmailVerified(hook: (user: { id: string; email: string }) => Promise<void>): void {
    this.verifiedHooks.push(hook);
  }

  private async emailVerified(userId: string): Promise<void> {
    if (this.verifiedHooks.length === 0) return;
    const user = await this.deps.db.user.findUnique({ where: { id: userId }, select: { id: true, email: true } });
    if (!user) return;
    for (const hook of this.verifiedHooks) await hook(user);
  }

  /**
   * Work a higher layer does when an account is deleted, in the deleting transaction before the
   * user row goes (portfolios ends the access the account had or gave); what it returns runs
   * once that transaction has committed.
   */
  onAccountDeletion(hook: AccountDeletionHook): void {
    this.deletionHooks.push(hook);
  }

  async close(): Promise<void> {
    await this.background.idle();
    await this.outbox.close();
  }

  me(userId: string): Promise<User | null> {
    return this.deps.db.user.findUnique({ where: { id: userId } });
  }

  /** Creates the account, signs it in and sends the verification email. */
  async register(input: RegisterInput, client: ClientInfo): Promise<AuthPayloadData> {
    const email = acceptedEmail(input.email);
    const name = input.name.trim();
    const problems: FieldProblem[] = [];
    if (!email) problems.push({ field: 'email', message: 'must be a valid email address' });
    if (name.length === 0) problems.push({ field: 'name', message: 'must not be empty' });
    else if (name.length > NAME_MAX_LENGTH) problems.push({ field: 'name', message: `must be at most ${NAME_MAX_LENGTH} characters` });
    problems.push(...passwordProblems(input.password, 'password'));
    if (!email || problems.length > 0) throw badInput(problems);
    // Before the argon2 work, so a flood of sign-ups costs the server nothing past the limit.
    await this.registrationLimit.count(client);

    const passwordHash = await hashPassword(input.password);
    const { db } = this.deps;
    let created: User;
    try {
      // The verification email is recorded with the account: both or neither.
      created = await db.$transaction(async (tx) => {
        const user = await tx.user.create({ data: { email, name, passwordHash } });
        await this.outbox.record({ kind: 'verify-email', userId: user.id }, tx);
        return user;
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw conflict('An account with this email address already exists');
      }
      throw error;
    }
    const user = created;
    this.outbox.flush();
    securityEvent(this.deps.logger, 'auth.registered', { userId: user.id, ip: client.ip });
    return this.sessions.start(user, client, { alertOnNewDevice: false });
  }

  /**
   * Password sign-in. Unknown email, wrong password and a locked address fail after the same
   * work (the lock is read alongside the account, the argon2 check always runs), so neither the
   * answer nor its timing tells whether an account exists. With MFA on, the result is a
   * challenge to finish with verifyMfaLogin.
   */
  async login(input: { email: string; password: string }, client: ClientInfo): Promise<AuthPayloadData | MfaChallengeData> {
    const email = normalizeEmail(input.email);
    const { db, logger } = this.deps;
    return this.guard.signInAttempt(email, client.ip, async (failed) => {
      const [user, lockedUntil] = await Promise.all([db.user.findUnique({ where: { email } }), this.guard.lockedUntil(email)]);
      const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
      // The lock holds every address that never signed in to the account; the owner's own
      // addresses may still try (within their limits), so a stranger cannot keep them out.
      if (lockedUntil && !(await this.guard.signedInFrom(user?.id ?? null, client.ip))) {
        // Counted against the per-address and per-IP limits like any failure: a lock is no
        // free oracle for guessing, and an unknown address behaves the same.
        failed();
        securityEvent(logger, 'auth.login_refused_locked', { userId: user?.id ?? null, ip: client.ip });
        throw accountLocked(lockedUntil);
      }
      if (!user || !valid) {
        failed();
        securityEvent(logger, 'auth.login_failed', {
          userId: user?.id ?? null,
          ip: client.ip,
          reason: user ? 'wrong_password' : 'unknown_email',
        });
        await this.countFailedSignIn(email, user?.id ?? null, client);
        throw invalidCredentials();
      }
      if (needsRehash(user.passwordHash)) {
        // Hashing parameters were raised since this hash was made: upgrade it while we have the password.
        await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(input.password) } });
      }
      if (user.mfaEnabled) {
        const { token, expiresAt } = await this.oneTimeTokens.issue(user.id, 'MFA_LOGIN', { replacePrevious: false });
        return { challengeToken: token, expiresAt };
      }
      return this.completeSignIn(user, client);
    });
  }

  /** Finishes an MFA sign-in with a TOTP code or a backup code; the challenge works once. */
  async verifyMfaLogin(challengeToken: string, code: string, client: ClientInfo): Promise<AuthPayloadData> {
    const { db, logger } = this.deps;
    const userId = await this.oneTimeTokens.peek(challengeToken, 'MFA_LOGIN');
    if (!userId) throw unauthenticated('This sign-in challenge is invalid or has expired; sign in again');
    return this.guard.attempt(this.guard.mfaFailures, [subjects.user(userId), subjects.ip(client.ip)], async (failed) => {
      const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
      const lockedUntil = await this.guard.lockedUntil(user.email);
      if (lockedUntil && !(await this.guard.signedInFrom(user.id, client.ip))) throw accountLocked(lockedUntil);
      if (!(await this.mfa.spendCode(userId, code))) {
        failed();
        securityEvent(logger, 'auth.mfa_challenge_failed', { userId, ip: client.ip });
        await this.countFailedSignIn(user.email, userId, client);
        throw invalidMfaCode();
      }
      if (!(await this.oneTimeTokens.consume(challengeToken, 'MFA_LOGIN'))) {
        throw unauthenticated('This sign-in challenge is invalid or has expired; sign in again');
      }
      return this.completeSignIn(user, client);
    });
  }

  /** Sends a new verification link; false when the address is already verified. */
  async requestEmailVerification(userId: string, client: ClientInfo): Promise<boolean> {
    const user = await this.deps.db.user.findUniqueOrThrow({ where: { id: userId } });
    if (user.emailVerified) return false;
    await this.guard.emailRequests.reserve([subjects.email(user.email), subjects.ip(client.ip)]);
    // The link is issued when the outbox relays this (replacing earlier ones).
    await this.outbox.record({ kind: 'verify-email', userId: user.id });
    return true;
  }

  async verifyEmail(token: string, client: ClientInfo): Promise<boolean> {
    const { db } = this.deps;
    const userId = await db.$transaction(async (tx) => {
      const owner = await this.oneTimeTokens.consume(token, 'EMAIL_VERIFICATION', tx);
      if (owner) await tx.user.update({ where: { id: owner }, data: { emailVerified: true } });
      return owner;
    });
    if (!userId) throw invalidLinkToken();
    securityEvent(this.deps.logger, 'auth.email_verified', { userId, ip: client.ip });
    await this.emailVerified(userId);
    return true;
  }

  /**
   * Always answers true, at once, whether or not the address has an account: the request is
   * recorded in the email outbox (one INSERT either way) before the answer, and looking the
   * address up and issuing the link happen when the outbox relays it, so neither the answer nor
   * its timing tells, and a crash after the answer loses nothing.
   */
  async requestPasswordReset(emailInput: string, client: ClientInfo): Promise<boolean> {
    const email = acceptedEmail(emailInput);
    if (!email) throw badInput([{ field: 'email', message: 'must be a valid email address' }]);
    await this.guard.emailRequests.reserve([subjects.email(email), subjects.ip(client.ip)]);
    await this.outbox.record({ kind: 'password-reset', email });
    return true;
  }

  /** Sets a new password from a reset link, clears any lockout and ends every session. */
  async resetPassword(token: string, newPassword: string, client: ClientInfo): Promise<boolean> {
    const problems = passwordProblems(newPassword, 'newPassword');
    if (problems.length > 0) throw badInput(problems);
    // Check the link before spending argon2 time on the password; spending it is atomic below.
    if (!(await this.oneTimeTokens.peek(token, 'PASSWORD_RESET'))) throw invalidLinkToken();
    const passwordHash = await hashPassword(newPassword);
    const { db } = this.deps;
    const userId = await db.$transaction(async (tx) => {
      const owner = await this.oneTimeTokens.consume(token, 'PASSWORD_RESET', tx);
      if (!owner) return null;
      // The link reached the inbox, so the address is proven too.
      const user = await tx.user.update({ where: { id: owner }, data: { passwordHash, emailVerified: true } });
      await this.guard.clearFailures(user.email, tx);
      await tx.oneTimeToken.deleteMany({ where: { userId: owner, purpose: 'PASSWORD_RESET', usedAt: null } });
      return owner;
    });
    if (!userId) throw invalidLinkToken();
    await this.sessions.revokeAll(userId, 'password_reset', client);
    securityEvent(this.deps.logger, 'auth.password_reset', { userId, ip: client.ip });
    await this.emailVerified(userId);
    return true;
  }

  /** Changes the password of a signed-in user and ends every other session. */
  async changePassword(
    viewer: { userId: string; sessionId: string },
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<boolean> {
    const problems = passwordProblems(newPassword, 'newPassword');
    if (problems.length > 0) throw badInput(problems);
    const { db } = this.deps;
    const user = await db.user.findUniqueOrThrow({ where: { id: viewer.userId } });
    await this.guard.attempt(this.guard.passwordFailures, [subjects.email(user.email), subjects.ip(client.ip)], async (failed) => {
      if (!(await verifyPassword(user.passwordHash, currentPassword))) {
        failed();
        securityEvent(this.deps.logger, 'auth.login_failed', {
          userId: user.id,
          sessionId: viewer.sessionId,
          ip: client.ip,
          reason: 'change_password',
        });
        throw badInput([{ field: 'currentPassword', message: 'is incorrect' }]);
      }
    });
    await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(newPassword) } });
    await this.sessions.revokeAll(user.id, 'password_changed', client, viewer.sessionId);
    securityEvent(this.deps.logger, 'auth.password_changed', { userId: user.id, sessionId: viewer.sessionId, ip: client.ip });
    return true;
  }

  /**
   * Deletes the account after the password (and, with MFA on, a TOTP or backup code): the user
   * row goes in one transaction, and the foreign keys take everything it owns with it (sessions,
   * refresh tokens, MFA, API tokens, portfolios with their investments, shares and activity,
   * shares received, custom assets and their prices). Activity the user wrote on other people's
   * portfolios stays, its actor set to null (shown as a deleted account). Sessions and API tokens
   * are revoked in Redis first, so every access token and open subscription stops at once.
   */
  async deleteAccount(
    viewer: { userId: string; sessionId: string },
    password: string,
    code: string | null | undefined,
    client: ClientInfo,
  ): Promise<boolean> {
    const { db, logger } = this.deps;
    const user = await db.user.findUniqueOrThrow({ where: { id: viewer.userId } });
    await this.guard.attempt(this.guard.passwordFailures, [subjects.email(user.email), subjects.ip(client.ip)], async (failed) => {
      if (!(await verifyPassword(user.passwordHash, password))) {
        failed();
        securityEvent(logger, 'auth.login_failed', {
          userId: user.id,
          sessionId: viewer.sessionId,
          ip: client.ip,
          reason: 'delete_account',
        });
        throw badInput([{ field: 'password', message: 'is incorrect' }]);
      }
    });
    if (user.mfaEnabled) {
      if (!code) throw new AppError('MFA_REQUIRED', 'Deleting an account with two-factor sign-in needs a TOTP code or a backup code');
      await this.guard.attempt(this.guard.mfaFailures, [subjects.user(user.id), subjects.ip(client.ip)], async (failed) => {
        if (!(await this.mfa.spendCode(user.id, code))) {
          failed();
          securityEvent(logger, 'auth.mfa_code_rejected', { userId: user.id, ip: client.ip, action: 'delete_account' });
          throw invalidMfaCode();
        }
      });
    }
    const [sessions, apiTokens] = await Promise.all([
      db.session.findMany({ where: { userId: user.id }, select: { id: true } }),
      db.apiToken.findMany({ where: { userId: user.id }, select: { id: true } }),
    ]);
    await this.deps.revocations.revoke([...sessions.map((s) => s.id), ...apiTokens.map((t) => t.id)]);
    const afterCommit: Array<() => Promise<void>> = [];
    await db.$transaction(async (tx) => {
      for (const hook of this.deletionHooks) afterCommit.push(await hook(tx, user.id));
      await tx.user.delete({ where: { id: user.id } });
    });
    securityEvent(logger, 'auth.account_deleted', { userId: user.id, sessionId: viewer.sessionId, ip: client.ip });
    for (const work of afterCommit) await work();
    return true;
  }

  private async completeSignIn(user: User, client: ClientInfo): Promise<AuthPayloadData> {
    // A sign-in that succeeds ends the run of consecutive failures.
    const signedIn = await this.deps.db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    await this.guard.clearFailures(user.email);
    const payload = await this.sessions.start(signedIn, client, { alertOnNewDevice: true });
    securityEvent(this.deps.logger, 'auth.login_succeeded', {
      userId: user.id,
      sessionId: payload.sessionId,
      ip: client.ip,
      mfa: user.mfaEnabled,
    });
    return payload;
  }

  /** One more consecutive failure on the address; throws ACCOUNT_LOCKED on the one that locks it. */
  private async countFailedSignIn(email: string, userId: string | null, client: ClientInfo): Promise<void> {
    const lockedUntil = await this.guard.recordFailure(email);
    if (lockedUntil) {
      securityEvent(this.deps.logger, 'auth.account_locked', { userId, ip: client.ip, lockedUntil: lockedUntil.toISOString() });
      throw accountLocked(lockedUntil);
    }
  }
}
