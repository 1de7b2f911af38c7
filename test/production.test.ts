/** Production mode: no GraphiQL, no introspection, strict security headers. */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { errorCode } from './harness.js';
import { useTestApp } from './use-test-app.js';

const { privateKey } = generateKeyPairSync('ed25519');
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const t = useTestApp({
  env: {
    NODE_ENV: 'production',
    // As operators often pass it: one line with \n escapes.
    JWT_PRIVATE_KEY: privatePem.replace(/\n/g, '\\n'),
    MFA_ENCRYPTION_KEY: 'production-test-key-with-more-than-32-characters',
    PUBLIC_URL: 'https://api.foliograph.example',
    SMTP_URL: 'smtp://127.0.0.1:2525',
  },
});

describe('in production', () => {
  it('refuses introspection', async () => {
    const result = await t.gql('{ __schema { queryType { name } } }');
    expect(result.status).toBe(400);
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/introspection/i);
    expect((await t.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('gives no field suggestions (they would reveal the schema)', async () => {
    const result = await t.gql('{ me { emial } }');
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toBe('Cannot query field "emial" on type "User".');
    const details = result.errors?.[0]?.extensions?.details as { message: string }[];
    expect(JSON.stringify(details)).not.toMatch(/Did you mean/);
    const argument = await t.gql('{ searchSymbols(qurey: "a") { symbol } }');
    expect(JSON.stringify(argument.errors)).not.toMatch(/Did you mean/);
  });

  it('serves no GraphiQL', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/graphiql' });
    expect(response.statusCode).toBe(404);
  });

  it('sends security headers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health' });
    expect(response.headers['content-security-policy']).toBeDefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toBeDefined();
  });

  it('signs with the configured key, not a generated one', async () => {
    const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
      keys: Array<{ kid: string; x: string }>;
    };
    const expected = await exportJWK(createPublicKey(privatePem));
    expect(jwks.keys[0]?.x).toBe(expected.x);
    expect(jwks.keys[0]?.kid).toBe(await calculateJwkThumbprint(expected));
  });
});
