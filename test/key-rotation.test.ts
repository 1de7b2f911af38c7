/**
 * Keys rotate without logging anyone out (contract README, "Auth rules"): a user enables MFA under
 * the first keys; the service restarts on new keys with the old ones listed as previous, then
 * `npm run keys:reseal` runs and the old keys are removed. Signed-in sessions, TOTP sign-in,
 * backup codes, queued mail and unsubscribe links keep working as the contract says.
 */
import { spawn } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { generate } from 'otplib';
import { afterAll, describe, expect, it } from 'vitest';
import { LoginDocument, MeDocument, SetupMfaDocument, VerifyMfaDocument, VerifyMfaLoginDocument } from '../schema/sdk/graphql.js';
import { unsubscribeUrl } from '../src/alerts/mail.js';
import { openEmailJob, sealEmailJob } from '../src/auth/email.js';
import { PROJECT_ROOT } from '../src/platform/paths.js';
import { GOOD_PASSWORD, from, registerUser } from './auth.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { startTestApp, type TestApp } from './harness.js';

const MFA_KEY_1 = 'mfa-key-one-with-more-than-32-characters-000';
const MFA_KEY_2 = 'mfa-key-two-with-more-than-32-characters-000';
const pem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const JWT_KEY_1 = pem();
const JWT_KEY_2 = pem();
const publicPem = (privatePem: string) => createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();

const apps: TestApp[] = [];
let database: TestDatabase;
afterAll(async () => {
  for (const app of apps) await app.close().catch(() => {});
  await database?.drop();
});

async function start(env: Record<string, string>): Promise<TestApp> {
  database ??= await createTestDatabase();
  const app = await startTestApp({ database, redisPrefix: `test:rotation:${database.name}:`, env: { TRUST_PROXY: '1', ...env } });
  apps.push(app);
  return app;
}

/** A TOTP code for a step after `lastStep` that is valid now (±1 step), waiting when there is none yet. */
let lastStep = 0;
async function nextCode(secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const step = Math.max(lastStep + 1, now - 1);
    if (step <= now + 1) {
      lastStep = step;
      return generate({ secret, epoch: step * 30 });
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const IP = '198.51.100.77';
async function signInWith(app: TestApp, email: string, code: string): Promise<string | undefined> {
  const login = await app.gql(LoginDocument, { input: { email, password: GOOD_PASSWORD } }, from(IP));
  const challenge = login.data?.login;
  if (challenge?.__typename !== 'MfaChallenge') throw new Error(`expected an MFA challenge, got ${JSON.stringify(login)}`);
  const result = await app.gql(VerifyMfaLoginDocument, { challengeToken: challenge.challengeToken, code }, from(IP));
  return result.data?.verifyMfaLogin.accessToken;
}

const me = async (app: TestApp, token: string) => (await app.gql(MeDocument, {}, { token })).data?.me?.email;
const kids = async (app: TestApp) =>
  ((await app.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as { keys: Array<{ kid: string }> }).keys.map(
    (k) => k.kid,
  );

async function unsubscribeWith(app: TestApp, link: string): Promise<number> {
  const url = new URL(link);
  const response = await app.app.inject({
    method: 'POST',
    url: `${url.pathname}${url.search}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'List-Unsubscribe=One-Click',
  });
  return response.statusCode;
}

describe('rotating the JWT and MFA keys', () => {
  it('keeps sessions, TOTP, backup codes, queued mail and unsubscribe links working through the rotation and the re-seal', async () => {
    // Before: keys 1.
    const before = await start({ MFA_ENCRYPTION_KEY: MFA_KEY_1, JWT_PRIVATE_KEY: JWT_KEY_1 });
    const { email, auth } = await registerUser(before, { ip: IP });
    const setup = (await before.gql(SetupMfaDocument, {}, { token: auth.accessToken })).data!.setupMfa;
    const enabled = await before.gql(VerifyMfaDocument, { code: await nextCode(setup.secret) }, { token: auth.accessToken });
    expect(enabled.errors).toBeUndefined();
    const backupCodes = enabled.data!.verifyMfa.backupCodes;
    const oldToken = (await signInWith(before, email, await nextCode(setup.secret)))!;
    expect(oldToken).toBeDefined();
    const oldLink = unsubscribeUrl(before.config, auth.user.id, 'ALERTS');
    const queued = sealEmailJob(before.config, {
      kind: 'verify-email',
      to: email,
      name: 'Test Person',
      link: 'https://app.example/queued',
    });
    const kid1 = (await kids(before))[0]!;
    // Step 1 of the JWT rotation: every replica learns key 2 before any signs with it.
    const learning = await start({ MFA_ENCRYPTION_KEY: MFA_KEY_1, JWT_PRIVATE_KEY: JWT_KEY_1, JWT_PREVIOUS_KEYS: publicPem(JWT_KEY_2) });
    await before.close();

    // Step 2: keys 2 sign and seal; keys 1 listed as previous.
    const rotated = await start({
      MFA_ENCRYPTION_KEY: MFA_KEY_2,
      MFA_PREVIOUS_KEYS: MFA_KEY_1,
      JWT_PRIVATE_KEY: JWT_KEY_2,
      JWT_PREVIOUS_KEYS: JWT_KEY_1,
    });
    const rotatedKids = await kids(rotated);
    expect(rotatedKids).toHaveLength(2);
    expect(rotatedKids).toContain(kid1);
    // Nobody signed out: the old token works on the new replica, and a new token on a replica
    // still signing with key 1 (a rolling restart has both at once).
    expect(await me(rotated, oldToken)).toBe(email);
    const newToken = (await signInWith(rotated, email, await nextCode(setup.secret)))!;
    expect(newToken).toBeDefined();
    expect(decodeProtectedHeader(newToken).kid).toBe(rotatedKids[0]);
    expect(rotatedKids[0]).not.toBe(kid1);
    expect(await me(learning, newToken)).toBe(email);
    // MFA: a backup code sealed under key 1, mail queued under key 1, an emailed link signed with key 1.
    expect(await signInWith(rotated, email, backupCodes[0]!)).toBeDefined();
    expect(openEmailJob(rotated.config, queued)).toMatchObject({ link: 'https://app.example/queued' });
    expect(await unsubscribeWith(rotated, oldLink)).toBe(200);
    await learning.close();

    // Re-seal, then drop keys 1.
    const reseal = spawn(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['src/keys-reseal.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: database.url,
        MFA_ENCRYPTION_KEY: MFA_KEY_2,
        MFA_PREVIOUS_KEYS: MFA_KEY_1,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    reseal.stdout.on('data', (d) => (output += String(d)));
    reseal.stderr.on('data', (d) => (output += String(d)));
    expect(await new Promise((resolve) => reseal.on('exit', resolve))).toBe(0);
    expect(output).toMatch(/"resealed":1/);
    await rotated.close();

    const after = await start({ MFA_ENCRYPTION_KEY: MFA_KEY_2, JWT_PRIVATE_KEY: JWT_KEY_2 });
    expect(await kids(after)).toEqual([rotatedKids[0]]);
    expect(await me(after, newToken)).toBe(email);
    expect(await signInWith(after, email, await nextCode(setup.secret))).toBeDefined();
    expect(await signInWith(after, email, backupCodes[1]!)).toBeDefined();
    // A spent backup code stays spent.
    expect(await signInWith(after, email, backupCodes[0]!)).toBeUndefined();
  }, 180_000);
});
