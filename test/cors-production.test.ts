/** CORS in production: only APP_URL and CORS_ORIGINS, no local development origins. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestApp } from './use-test-app.js';

const t = useTestApp(() => {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    env: {
      NODE_ENV: 'production',
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      MFA_ENCRYPTION_KEY: 'production-test-key-with-more-than-32-characters',
      PUBLIC_URL: 'https://api.foliograph.example',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      APP_URL: 'https://app.foliograph.example',
      CORS_ORIGINS: 'https://admin.foliograph.example, https://partner.example',
    },
  };
});

async function allowedOrigin(origin: string): Promise<string | undefined> {
  const response = await t.app.inject({
    method: 'OPTIONS',
    url: '/graphql',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
  });
  return response.headers['access-control-allow-origin'] as string | undefined;
}

describe('CORS in production', () => {
  it('allows APP_URL and CORS_ORIGINS only', async () => {
    for (const origin of ['https://app.foliograph.example', 'https://admin.foliograph.example', 'https://partner.example']) {
      expect(await allowedOrigin(origin), origin).toBe(origin);
    }
    for (const origin of [
      'http://localhost:5173',
      'http://127.0.0.1:3000',
      'https://evil.example',
      'https://app.foliograph.example.evil.example',
    ]) {
      expect(await allowedOrigin(origin), origin).toBeUndefined();
    }
  });
});
