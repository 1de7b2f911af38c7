/**
 * No secret in any log line: a hostile run (unknown fields next to a password, tokens of the
 * wrong type, bad REST bodies, GET and HEAD with variables, connection_init with tokens, bogus
 * Authorization headers) at LOG_LEVEL trace, then every captured line is searched for every
 * secret the run handed over.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_PASSWORD, loginTokens, registerUser } from './auth.js';
import { useTestApp } from './use-test-app.js';
import { listen, RawSocket } from './ws.js';

const lines: string[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

const t = useTestApp(() => ({ env: { LOG_LEVEL: 'trace' }, logStream }));
const PASSWORD = 'S3cret-Horse-Battery-91';
const OTHER_PASSWORD = 'Another-S3cret-pass-77';
const MFA_CODE = 'zq8k3w-backup';
let url: string;
const sockets: RawSocket[] = [];
afterAll(() => {
  for (const socket of sockets) socket.close();
});
beforeAll(async () => {
  url = await listen(t);
});

const gqlRaw = (body: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('logs under a hostile run', () => {
  it('hold none of the passwords, tokens or codes the requests carried, at any level', async () => {
    const { email } = await registerUser(t, { password: PASSWORD });
    const tokens = await loginTokens(t, email, PASSWORD);
    const created = await t.gql<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "ci", scopes: [READ] }) { token } }`,
      {},
      { token: tokens.accessToken },
    );
    const apiToken = created.data!.createApiToken.token;
    const secrets = [PASSWORD, OTHER_PASSWORD, tokens.accessToken, tokens.refreshToken, apiToken, MFA_CODE];

    const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { __typename } }`;
    // One unknown field next to the password; the password of the wrong type; inline literals.
    await gqlRaw({ query: LOGIN, variables: { input: { email, password: PASSWORD, remember: true } } });
    await gqlRaw({ query: LOGIN, variables: { input: { email, password: { value: PASSWORD } } } });
    await gqlRaw({ query: LOGIN, variables: { input: { email: [email], password: [PASSWORD, OTHER_PASSWORD] } } });
    await gqlRaw({
      query: `mutation { login(input: { email: "${email}", password: "${OTHER_PASSWORD}", remember: true }) { __typename } }`,
    });
    await gqlRaw({ query: `mutation { login(input: { email: "${email}", password: ["${OTHER_PASSWORD}"] }) { __typename } }` });
    // Refresh and reset tokens of the wrong type; an MFA code of the wrong type.
    const REFRESH = `mutation($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken } }`;
    await gqlRaw({ query: REFRESH, variables: { refreshToken: { token: tokens.refreshToken } } });
    await gqlRaw({ query: REFRESH, variables: { refreshToken: [tokens.refreshToken] } });
    await gqlRaw({
      query: `mutation($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }`,
      variables: { token: [tokens.refreshToken], newPassword: { p: OTHER_PASSWORD } },
    });
    await gqlRaw({
      query: `mutation($c: String!, $code: String!) { verifyMfaLogin(challengeToken: $c, code: $code) { accessToken } }`,
      variables: { c: { t: tokens.refreshToken }, code: [MFA_CODE] },
    });
    // Bad JSON around a password; a body of the wrong shape.
    await gqlRaw(`{"query":"${LOGIN}","variables":{"input":{"email":"${email}","password":"${PASSWORD}"`);
    await gqlRaw(`{"password":"${PASSWORD}"`);
    await gqlRaw([{ password: PASSWORD }]);
    // Bogus and foreign credentials in the Authorization header.
    await gqlRaw({ query: '{ me { id } }' }, { authorization: `Bearer ${tokens.accessToken}x` });
    await gqlRaw({ query: '{ me { id } }' }, { authorization: `Bearer ${apiToken}x` });
    await gqlRaw({ query: '{ me { id } }' }, { authorization: `Basic ${Buffer.from(`${email}:${PASSWORD}`).toString('base64')}` });
    await gqlRaw({ query: '{ me { id } }' }, { authorization: PASSWORD });
    // GET and HEAD with variables in the URL.
    const variables = encodeURIComponent(JSON.stringify({ input: { email, password: PASSWORD } }));
    await t.app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent(LOGIN)}&variables=${variables}` });
    await t.app.inject({ method: 'HEAD', url: `/graphql?query=${encodeURIComponent(LOGIN)}&variables=${variables}` });
    await t.app.inject({
      method: 'GET',
      url: `/graphql?query={me{id}}&access_token=${tokens.accessToken}&refreshToken=${tokens.refreshToken}`,
    });
    // REST with bad bodies.
    for (const prefix of ['/api/v1', '/api']) {
      const post = (path: string, payload: string) =>
        t.app.inject({ method: 'POST', url: `${prefix}${path}`, headers: { 'content-type': 'application/json' }, payload });
      await post('/auth/login', JSON.stringify({ email, password: PASSWORD, remember: true }));
      await post('/auth/login', JSON.stringify({ email, password: [PASSWORD] }));
      await post('/auth/login', `{"email":"${email}","password":"${PASSWORD}"`);
      await post('/auth/refresh', JSON.stringify({ refreshToken: { t: tokens.refreshToken } }));
      await post('/auth/refresh', JSON.stringify({ refreshToken: tokens.refreshToken, extra: OTHER_PASSWORD }));
      await post('/auth/login/mfa', JSON.stringify({ challengeToken: [tokens.refreshToken], code: { c: MFA_CODE } }));
      await t.app.inject({
        method: 'POST',
        url: `${prefix}/auth/login`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `email=${email}&password=${PASSWORD}`,
      });
    }
    // WebSocket: connection_init with a token, a bad token, tokens in odd places.
    const good = new RawSocket(url);
    sockets.push(good);
    await good.init(tokens.accessToken);
    await good.send({ type: 'subscribe', id: '1', payload: { query: REFRESH, variables: { refreshToken: [tokens.refreshToken] } } });
    await good.message().catch(() => undefined);
    for (const payload of [
      { authorization: `Bearer ${tokens.accessToken}x` },
      { authorization: apiToken + 'x', password: PASSWORD },
      { authorization: { token: tokens.refreshToken } },
      { token: tokens.accessToken, refreshToken: tokens.refreshToken },
    ]) {
      const socket = new RawSocket(url);
      sockets.push(socket);
      await socket.send({ type: 'connection_init', payload });
      await Promise.race([socket.closed, socket.message().catch(() => undefined)]);
      socket.close();
    }
    const broken = new RawSocket(url);
    sockets.push(broken);
    await broken.send(`{"type":"connection_init","payload":{"authorization":"Bearer ${tokens.accessToken}"`);
    await broken.closed;
    // The right password still works after all that (nothing above locked anyone out by accident).
    expect((await loginTokens(t, email, PASSWORD)).accessToken).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(lines.length).toBeGreaterThan(50);
    const leaks = lines.filter((line) => secrets.some((secret) => line.includes(secret)));
    expect(leaks).toEqual([]);
    // Refusals are still logged, by path.
    expect(lines.some((line) => line.includes('request answered with client errors') && line.includes('remember'))).toBe(true);
    expect(GOOD_PASSWORD).not.toBe(PASSWORD);
  });
});
