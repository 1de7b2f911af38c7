import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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
    }
    const production = loadConfig({
      NODE_ENV: 'production',
      JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----',
      MFA_ENCRYPTION_KEY: 'k'.repeat(40),
      SMTP_URL: 'smtp://mail.example.com:587',
    });
    expect(production).toMatchObject({ production: true, RUN_WORKER_IN_PROCESS: false, SEED_DEMO: false });
  });
});
