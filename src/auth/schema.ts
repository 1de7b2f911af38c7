/**
 * The auth domain's GraphQL types. `User` is the public face of an account: exactly the
 * contract's fields, never the password hash, lockout counters or MFA secrets.
 * (Defined here by the portfolios work, which needs `User` for owners, shares and activity
 * actors; the auth domain adds its queries and mutations to this file.)
 */
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import type { AuthPayloadData, ClientInfo, MfaChallengeData } from './service.js';
import type { MfaSetupData } from './mfa.js';
import { requireViewer } from './viewer.js';
import { requireSessionViewer, type CreatedApiTokenData } from './api-tokens.js';

/** Account fields: not for a public reader who reached the user as a portfolio's owner (src/portfolios/roles.ts). */
const accountField = { authScopes: (user: { id: string }) => ({ accountFields: user }) } as const;

export const UserRef = builder.prismaObject('User', {
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    email: t.exposeString('email', { nullable: false, ...accountField }),
    name: t.exposeString('name', { nullable: false }),
    emailVerified: t.exposeBoolean('emailVerified', { nullable: false, ...accountField }),
    mfaEnabled: t.exposeBoolean('mfaEnabled', { nullable: false, ...accountField }),
    // When the account was made says something about its owner: not for public readers either.
    createdAt: t.expose('createdAt', { nullable: false, type: 'DateTime', ...accountField }),
    lastLoginAt: t.expose('lastLoginAt', { type: 'DateTime', nullable: true, ...accountField }),
  }),
});

export const SessionRef = builder.prismaObject('Session', {
  description: 'One sign-in on one device.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    current: t.boolean({
      nullable: false,
      description: "True for the session of the caller's access token.",
      resolve: (session, _args, ctx) => session.id === ctx.viewer?.sessionId,
    }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    device: t.exposeString('device', { nullable: true, description: 'The device as a person reads it, e.g. "Firefox on macOS".' }),
    ipAddress: t.exposeString('ipAddress', { nullable: true }),
    createdAt: t.expose('createdAt', { nullable: false, type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    expiresAt: t.expose('expiresAt', { nullable: false, type: 'DateTime' }),
  }),
});

const AuthPayloadRef = builder.objectRef<AuthPayloadData>('AuthPayload').implement({
  fields: (t) => ({
    accessToken: t.exposeString('accessToken', { nullable: false }),
    expiresIn: t.exposeInt('expiresIn', { nullable: false, description: 'Seconds until the access token expires (900).' }),
    refreshToken: t.exposeString('refreshToken', { nullable: false }),
    user: t.field({ type: UserRef, nullable: false, resolve: (payload) => payload.user }),
  }),
});

const MfaChallengeRef = builder.objectRef<MfaChallengeData>('MfaChallenge').implement({
  description: 'Returned by login when the account has MFA on: finish with verifyMfaLogin.',
  fields: (t) => ({
    challengeToken: t.exposeString('challengeToken', { nullable: false }),
    expiresAt: t.expose('expiresAt', { nullable: false, type: 'DateTime' }),
  }),
});

const LoginResultRef = builder.unionType('LoginResult', {
  types: [AuthPayloadRef, MfaChallengeRef],
  resolveType: (result) => ('challengeToken' in result ? MfaChallengeRef : AuthPayloadRef),
});

const MfaSetupRef = builder.objectRef<MfaSetupData>('MfaSetup').implement({
  fields: (t) => ({
    secret: t.exposeString('secret', { nullable: false, description: 'Base32 TOTP secret (RFC 6238, SHA-1, 6 digits, 30 s).' }),
    otpauthUrl: t.exposeString('otpauthUrl', { nullable: false, description: 'otpauth:// URI for authenticator apps.' }),
  }),
});

const MfaEnabledRef = builder.objectRef<{ backupCodes: string[] }>('MfaEnabled').implement({
  fields: (t) => ({
    backupCodes: t.exposeStringList('backupCodes', { nullable: false, description: 'One-time backup codes, shown once.' }),
  }),
});

const RegisterInput = builder.inputType('RegisterInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    name: t.string({ required: true }),
  }),
});

const LoginInput = builder.inputType('LoginInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
  }),
});

const clientOf = (ctx: Context): ClientInfo => ({ ip: ctx.ip, userAgent: ctx.userAgent });

builder.queryFields((t) => ({
  me: t.field({
    type: UserRef,
    nullable: true,
    description: 'The signed-in user; null for anonymous callers.',
    resolve: (_root, _args, ctx) => (ctx.viewer ? ctx.services.auth.me(ctx.viewer.userId) : null),
  }),
  sessions: t.field({
    type: [SessionRef],
    nullable: false,
    description: "The caller's live sessions, most recently used first.",
    resolve: (_root, _args, ctx) => ctx.services.auth.sessions.listActive(requireViewer(ctx).userId),
  }),
}));

builder.mutationFields((t) => ({
  register: t.field({
    type: AuthPayloadRef,
    nullable: false,
    description: 'Creates an account, signs it in and sends an email verification link.',
    args: { input: t.arg({ type: RegisterInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.auth.register(input, clientOf(ctx)),
  }),
  login: t.field({
    type: LoginResultRef,
    nullable: false,
    args: { input: t.arg({ type: LoginInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.auth.login(input, clientOf(ctx)),
  }),
  verifyMfaLogin: t.field({
    type: AuthPayloadRef,
    nullable: false,
    description: 'Finishes a sign-in that returned MfaChallenge, with a TOTP code or a backup code.',
    args: { challengeToken: t.arg.string({ required: true }), code: t.arg.string({ required: true }) },
    resolve: (_root, { challengeToken, code }, ctx) => ctx.services.auth.verifyMfaLogin(challengeToken, code, clientOf(ctx)),
  }),
  refreshToken: t.field({
    type: AuthPayloadRef,
    nullable: false,
    description: 'Exchanges a refresh token (spent by this call) for a new access token and refresh token.',
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: (_root, { refreshToken }, ctx) => ctx.services.auth.sessions.refresh(refreshToken, clientOf(ctx)),
  }),
  logout: t.boolean({
    nullable: false,
    description: "Ends the refresh token's session, or without one the caller's current session.",
    args: { refreshToken: t.arg.string() },
    resolve: async (_root, { refreshToken }, ctx) => {
      if (refreshToken) await ctx.services.auth.sessions.revokeByRefreshToken(refreshToken, clientOf(ctx));
      else await ctx.services.auth.sessions.revokeSession(requireSessionViewer(ctx).sessionId, 'logout', clientOf(ctx));
      return true;
    },
  }),
  logoutAll: t.boolean({
    nullable: false,
    description: "Ends every one of the caller's sessions, this one included.",
    resolve: async (_root, _args, ctx) => {
      await ctx.services.auth.sessions.revokeAll(requireSessionViewer(ctx).userId, 'logout_all', clientOf(ctx));
      return true;
    },
  }),
  revokeSession: t.boolean({
    nullable: false,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.auth.sessions.revokeOwn(requireSessionViewer(ctx).userId, id, clientOf(ctx));
      return true;
    },
  }),
  requestEmailVerification: t.boolean({
    nullable: false,
    description: 'Sends a new verification link; false when the address is already verified.',
    resolve: (_root, _args, ctx) => ctx.services.auth.requestEmailVerification(requireViewer(ctx).userId, clientOf(ctx)),
  }),
  verifyEmail: t.boolean({
    nullable: false,
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, { token }, ctx) => ctx.services.auth.verifyEmail(token, clientOf(ctx)),
  }),
  requestPasswordReset: t.boolean({
    nullable: false,
    description: 'Emails a reset link if the address has an account; answers true either way.',
    args: { email: t.arg.string({ required: true }) },
    resolve: (_root, { email }, ctx) => ctx.services.auth.requestPasswordReset(email, clientOf(ctx)),
  }),
  resetPassword: t.boolean({
    nullable: false,
    description: 'Sets a new password from a reset link; every session ends.',
    args: { token: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    resolve: (_root, { token, newPassword }, ctx) => ctx.services.auth.resetPassword(token, newPassword, clientOf(ctx)),
  }),
  changePassword: t.boolean({
    nullable: false,
    description: 'Every other session ends; this one stays signed in.',
    args: { currentPassword: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    resolve: (_root, { currentPassword, newPassword }, ctx) =>
      ctx.services.auth.changePassword(requireSessionViewer(ctx), currentPassword, newPassword, clientOf(ctx)),
  }),
  setupMfa: t.field({
    type: MfaSetupRef,
    nullable: false,
    description: 'Starts two-factor enrolment with a new secret; finish with verifyMfa.',
    resolve: (_root, _args, ctx) => ctx.services.auth.mfa.setup(requireSessionViewer(ctx).userId),
  }),
  verifyMfa: t.field({
    type: MfaEnabledRef,
    nullable: false,
    description: 'Turns two-factor sign-in on with a code from the authenticator.',
    args: { code: t.arg.string({ required: true }) },
    resolve: async (_root, { code }, ctx) => ({
      backupCodes: await ctx.services.auth.mfa.enable(requireSessionViewer(ctx).userId, code, clientOf(ctx)),
    }),
  }),
  disableMfa: t.boolean({
    nullable: false,
    description: 'Turns two-factor sign-in off; needs a current TOTP code or a backup code.',
    args: { code: t.arg.string({ required: true }) },
    resolve: async (_root, { code }, ctx) => {
      await ctx.services.auth.mfa.disable(requireSessionViewer(ctx).userId, code, clientOf(ctx));
      return true;
    },
  }),
}));

const ApiTokenScopeEnum = builder.enumType('ApiTokenScope', { values: ['READ', 'WRITE'] as const });

const ApiTokenRef = builder.prismaObject('ApiToken', {
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    name: t.exposeString('name', { nullable: false }),
    scopes: t.field({ type: [ApiTokenScopeEnum], nullable: false, resolve: (token) => token.scopes }),
    prefix: t.exposeString('prefix', { nullable: false, description: 'The first characters, to recognise it.' }),
    createdAt: t.expose('createdAt', { nullable: false, type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreatedApiTokenRef = builder.objectRef<CreatedApiTokenData>('CreatedApiToken').implement({
  fields: (t) => ({
    token: t.exposeString('token', { nullable: false, description: 'Shown once.' }),
    apiToken: t.field({ type: ApiTokenRef, nullable: false, resolve: (created) => created.apiToken }),
  }),
});

const ApiTokenInput = builder.inputType('ApiTokenInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    scopes: t.field({ type: [ApiTokenScopeEnum], required: true }),
    expiresInDays: t.int(),
  }),
});

builder.queryFields((t) => ({
  apiTokens: t.field({
    type: [ApiTokenRef],
    nullable: false,
    description: "The caller's personal API tokens, newest first (never their secrets).",
    resolve: (_root, _args, ctx) => ctx.services.auth.apiTokens.list(requireViewer(ctx).userId),
  }),
}));

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreatedApiTokenRef,
    nullable: false,
    description: 'A personal API token for scripts (`Authorization: Bearer fg_…`); its secret is shown once.',
    args: { input: t.arg({ type: ApiTokenInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.auth.apiTokens.create(requireSessionViewer(ctx).userId, input, clientOf(ctx)),
  }),
  deleteAccount: t.boolean({
    nullable: false,
    description: "Deletes the caller's account and everything it owns; every session stops at once.",
    args: { password: t.arg.string({ required: true }), code: t.arg.string() },
    resolve: (_root, { password, code }, ctx) => ctx.services.auth.deleteAccount(requireSessionViewer(ctx), password, code, clientOf(ctx)),
  }),
  revokeApiToken: t.boolean({
    nullable: false,
    description: 'Revokes the token at once, on every instance; its open subscriptions end.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.services.auth.apiTokens.revoke(requireSessionViewer(ctx).userId, id, clientOf(ctx));
      return true;
    },
  }),
}));
