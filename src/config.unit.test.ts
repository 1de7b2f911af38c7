import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, SECRET_VARIABLES, loadConfig } from './config.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----',
  MFA_ENCRYPTION_KEY: 'k'.repeat(40),
  SMTP_URL: 'smtp://mail.example.com:587',
  PUBLIC_URL: 'https://api.example.com',
};

describe('configuration', () => {
  it('has the contract defaults outside production', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 4000,
      HOST: '0.0.0.0',
      NODE_ENV: 'development',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/foliograph',
      REDIS_URL: 'redis://127.0.0.1:6379',
      APP_URL: 'http://localhost:5173',
      MARKET_PROVIDERS: ['simulated'],
      MARKET_FEED_INTERVAL_MS: 1000,
      RUN_WORKER_IN_PROCESS: true,
      SEED_DEMO: true,
      production: false,
    });
    expect(config.SMTP_URL).toBeUndefined();
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', MARKET_PROVIDERS: 'simulated,bloomberg' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/DATABASE_URL/);
    }
    expect(() => loadConfig({ MARKET_PROVIDERS: 'simulated,bloomberg' })).toThrow(/unknown provider "bloomberg"/);
    expect(() => loadConfig({ MARKET_PROVIDERS: 'alphavantage' })).toThrow(/ALPHAVANTAGE_API_KEY/);
  });

  it('refuses to start production without real secrets', () => {
    try {
      loadConfig({ NODE_ENV: 'production' });
      expect.unreachable();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/JWT_PRIVATE_KEY: required in production/);
      expect(problems).toMatch(/MFA_ENCRYPTION_KEY: required in production/);
      expect(problems).toMatch(/SMTP_URL: required in production/);
      // Links in emails would otherwise point at localhost.
      expect(problems).toMatch(/PUBLIC_URL: required in production/);
    }
    const production = loadConfig(PRODUCTION);
    expect(production).toMatchObject({
      production: true,
      RUN_WORKER_IN_PROCESS: false,
      SEED_DEMO: false,
      PUBLIC_URL: 'https://api.example.com',
    });
  });

  it('reads every secret from <NAME>_FILE, as Kubernetes and Docker secrets hand them out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'foliograph-secrets-'));
    const values: Record<(typeof SECRET_VARIABLES)[number], string> = {
      DATABASE_URL: 'postgresql://app:s3cret@db.internal:5432/foliograph',
      REDIS_URL: 'redis://:s3cret@redis.internal:6379/2',
      JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nfile\n-----END PRIVATE KEY-----',
      JWT_PREVIOUS_KEYS: '-----BEGIN PUBLIC KEY-----\nold\n-----END PUBLIC KEY-----',
      MFA_ENCRYPTION_KEY: 'f'.repeat(40),
      MFA_PREVIOUS_KEYS: `${'a'.repeat(40)},${'b'.repeat(40)}`,
      SMTP_URL: 'smtp://user:pass@mail.internal:587',
      OPERATOR_TOKEN: 'operator-token-from-a-file',
      METRICS_TOKEN: 'metrics-token-from-a-file',
      ALPHAVANTAGE_API_KEY: 'alpha-key-from-a-file',
      SENTRY_DSN: 'https://key@sentry.example.com/1',
    };
    const env: Record<string, string> = { NODE_ENV: 'production', PUBLIC_URL: 'https://api.example.com' };
    for (const [name, value] of Object.entries(values)) {
      // As Secret volumes usually hold them: with a trailing newline.
      writeFileSync(join(dir, name), `${value}\n`);
      env[`${name}_FILE`] = join(dir, name);
    }
    const config = loadConfig(env);
    for (const [name, value] of Object.entries(values)) {
      if (name === 'MFA_PREVIOUS_KEYS') expect(config.MFA_PREVIOUS_KEYS).toEqual(['a'.repeat(40), 'b'.repeat(40)]);
      else expect(config[name as keyof typeof config], name).toBe(value);
    }
    // A missing file or a variable given twice is a start-up error naming it, without the value.
    expect(() => loadConfig({ ...PRODUCTION, SMTP_URL: undefined, SMTP_URL_FILE: join(dir, 'missing') })).toThrow(
      /SMTP_URL_FILE: cannot read .*missing \(ENOENT\)/,
    );
    expect(() => loadConfig({ ...PRODUCTION, SMTP_URL_FILE: join(dir, 'SMTP_URL') })).toThrow(/SMTP_URL_FILE: SMTP_URL is set too/);
    rmSync(dir, { recursive: true });
  });
});
