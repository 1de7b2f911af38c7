import { describe, expect, it } from 'vitest';
import { from } from '../../test/auth.js';
import { errorCode, type TestApp } from '../../test/harness.js';
import { useTestApp } from '../../test/use-test-app.js';
import { createTestUser, type TestUser } from '../../test/users.js';
import { listen, RawSocket } from '../../test/ws.js';

// Two instances on one database and one Redis prefix: two replicas of one deployment.
let logLines: string[] = [];
const a = useTestApp({ env: { TRUST_PROXY: '1', LOG_LEVEL: 'info' }, logStream: { write: (line) => void logLines.push(line) } });
const b = useTestApp(() => ({ env: { TRUST_PROXY: '1' }, database: a.database, redisPrefix: a.config.REDIS_PREFIX }));

const CREATE = `mutation($input: ApiTokenInput!) {
  createApiToken(input: $input) { token apiToken { id name scopes prefix createdAt lastUsedAt expiresAt } }
}`;
const LIST = `{ apiTokens { id name scopes prefix lastUsedAt expiresAt } }`;
const ME = `{ me { id } }`;
const CREATE_PORTFOLIO = `mutation { createPortfolio(input: { name: "From a script" }) { id name } }`;

interface Created {
  token: string;
  apiToken: { id: string; name: string; scopes: string[]; prefix: string; lastUsedAt: string | null; expiresAt: string | null };
}

async function createToken(t: TestApp, user: TestUser, input: Record<string, unknown>): Promise<Created> {
  const result = await t.gql<{ createApiToken: Created }>(CREATE, { input }, { token: user.token });
  expect(result.errors).toBeUndefined();
  return result.data!.createApiToken;
}

describe('personal API tokens', () => {
  it('are shown once with the fg_ prefix, stored only as a hash, and listed without the secret', async () => {
    const user = await createTestUser(a);
    const created = await createToken(a, user, { name: '  Spreadsheet sync ', scopes: ['READ'], expiresInDays: 30 });
    expect(created.token).toMatch(/^fg_[A-Za-z0-9_-]{43}$/);
    expect(created.apiToken).toMatchObject({
      name: 'Spreadsheet sync',
      scopes: ['READ'],
      prefix: created.token.slice(0, 9),
      lastUsedAt: null,
    });
    const expiresIn = Date.parse(created.apiToken.expiresAt!) - Date.now();
    expect(Math.abs(expiresIn - 30 * 86_400_000)).toBeLessThan(60_000);

    const rows = await a.app.services.db.$queryRaw<
      Array<Record<string, unknown>>
    >`SELECT * FROM api_tokens WHERE user_id = ${user.id}::uuid`;
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(created.token.slice(9));

    const listed = await a.gql<{ apiTokens: Created['apiToken'][] }>(LIST, {}, { token: user.token });
    const { id, name, scopes, prefix, lastUsedAt, expiresAt } = created.apiToken;
    expect(listed.data?.apiTokens).toEqual([{ id, name, scopes, prefix, lastUsedAt, expiresAt }]);
    expect(JSON.stringify(listed)).not.toContain(created.token);
  });

  it('refuses bad input with details', async () => {
    const user = await createTestUser(a);
    const result = await a.gql(CREATE, { input: { name: ' ', scopes: [], expiresInDays: 0 } }, { token: user.token });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect((result.errors![0]!.extensions!.details as Array<{ field: string }>).map((d) => d.field)).toEqual([
      'name',
      'scopes',
      'expiresInDays',
    ]);
    const anonymous = await a.gql(CREATE, { input: { name: 'x', scopes: ['READ'] } });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });

  it('authenticate GraphQL over HTTP on every replica and record lastUsedAt', async () => {
    const user = await createTestUser(a);
    const { token, apiToken } = await createToken(a, user, { name: 'reader', scopes: ['READ'] });
    expect((await a.gql<{ me: { id: string } }>(ME, {}, { token })).data?.me?.id).toBe(user.id);
    expect((await b.gql<{ me: { id: string } }>(ME, {}, { token })).data?.me?.id).toBe(user.id);
    await expect
      .poll(async () => (await a.app.services.db.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } })).lastUsedAt)
      .not.toBeNull();
  });

  it('READ tokens cannot mutate; WRITE tokens can', async () => {
    const user = await createTestUser(a);
    const reader = await createToken(a, user, { name: 'reader', scopes: ['READ'] });
    const writer = await createToken(a, user, { name: 'writer', scopes: ['WRITE'] });
    const refused = await a.gql(CREATE_PORTFOLIO, {}, { token: reader.token });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(await a.app.services.db.portfolio.count({ where: { ownerId: user.id } })).toBe(0);
    const made = await a.gql<{ createPortfolio: { name: string } }>(CREATE_PORTFOLIO, {}, { token: writer.token });
    expect(made.data?.createPortfolio.name).toBe('From a script');
  });

  it('no token can change the password, MFA, sessions or tokens', async () => {
    const user = await createTestUser(a);
    const { token, apiToken } = await createToken(a, user, { name: 'writer', scopes: ['READ', 'WRITE'] });
    const attempts = [
      `mutation { changePassword(currentPassword: "${user.password}", newPassword: "another-long-password-9") }`,
      `mutation { setupMfa { secret } }`,
      `mutation { disableMfa(code: "123456") }`,
      `mutation { createApiToken(input: { name: "more", scopes: [WRITE] }) { token } }`,
      `mutation { revokeApiToken(id: "${apiToken.id}") }`,
      `mutation { logoutAll }`,
      `mutation { deleteAccount(password: "${user.password}") }`,
    ];
    for (const document of attempts) {
      const result = await a.gql(document, {}, { token });
      expect(errorCode(result), document).toBe('FORBIDDEN');
    }
    expect(await a.app.services.db.apiToken.count({ where: { userId: user.id } })).toBe(1);
  });

  it('revocation is effective at once on every replica, and ends its WebSocket connections', async () => {
    const user = await createTestUser(a);
    const { token, apiToken } = await createToken(a, user, { name: 'live', scopes: ['READ'] });
    const url = await listen(b);
    const socket = new RawSocket(url);
    await socket.init(token);

    const revoked = await a.gql<{ revokeApiToken: boolean }>(
      `mutation($id: ID!) { revokeApiToken(id: $id) }`,
      { id: apiToken.id },
      { token: user.token },
    );
    expect(revoked.data?.revokeApiToken).toBe(true);
    expect((await b.gql<{ me: unknown }>(ME, {}, { token })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await a.gql<{ me: unknown }>(ME, {}, { token })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await socket.closed).code).toBe(4403);

    const again = new RawSocket(url);
    await again.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    expect((await again.closed).code).toBe(4403);

    const twice = await a.gql(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: apiToken.id }, { token: user.token });
    expect(errorCode(twice)).toBe('NOT_FOUND');
    // Another user's token id is NOT_FOUND too, and stays valid.
    const other = await createTestUser(a);
    const theirs = await createToken(a, other, { name: 'theirs', scopes: ['READ'] });
    expect(
      errorCode(await a.gql(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: theirs.apiToken.id }, { token: user.token })),
    ).toBe('NOT_FOUND');
    expect((await a.gql<{ me: { id: string } }>(ME, {}, { token: theirs.token })).data?.me?.id).toBe(other.id);
  });

  it('an expired token is refused', async () => {
    const user = await createTestUser(a);
    const { token, apiToken } = await createToken(a, user, { name: 'short', scopes: ['READ'], expiresInDays: 1 });
    await a.app.services.db.apiToken.update({ where: { id: apiToken.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await a.gql<{ me: unknown }>(ME, {}, { token })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(errorCode(await a.gql(LIST, {}, { token }))).toBe('UNAUTHENTICATED');
  });

  it('the security log records creation and use from a new address', async () => {
    const user = await createTestUser(a);
    logLines = [];
    const { token, apiToken } = await createToken(a, user, { name: 'logged', scopes: ['READ'] });
    await a.gql(ME, {}, { token, ...from('198.51.100.7') });
    await a.gql(ME, {}, { token, ...from('198.51.100.7') });
    await a.gql(ME, {}, { token, ...from('198.51.100.8') });
    // REST and WebSocket pass the caller's address too.
    const rest = await a.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}`, ...from('198.51.100.9').headers },
    });
    expect(rest.statusCode).toBe(200);
    const socket = new RawSocket(await listen(a), 'graphql-transport-ws', { headers: from('198.51.100.10').headers });
    await socket.init(token);
    socket.close();
    const events = () =>
      logLines
        .map((line) => JSON.parse(line) as { event?: string; apiTokenId?: string; ip?: string })
        .filter((line) => line.apiTokenId === apiToken.id)
        .map((line) => `${line.event} ${line.ip ?? ''}`);
    await expect
      .poll(events)
      .toEqual([
        expect.stringMatching(/^auth\.api_token_created /),
        'auth.api_token_used_from_new_ip 198.51.100.7',
        'auth.api_token_used_from_new_ip 198.51.100.8',
        'auth.api_token_used_from_new_ip 198.51.100.9',
        'auth.api_token_used_from_new_ip 198.51.100.10',
      ]);
    expect(logLines.join('\n')).not.toContain(token);
  });
});
