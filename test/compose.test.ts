/**
 * docker-compose.yml as a self-hoster runs it: no default passwords (a missing secret stops
 * `docker compose` with a message naming it), Redis behind a password, pinned images, no
 * capabilities and no privilege gain, a stop grace longer than the app's shutdown timeout,
 * migrations applied once before the API and the worker start, PUBLIC_URL set. No engine runs
 * here, so the file is parsed (with its YAML merge keys) and each value interpolated the way
 * Compose does it ($VAR, ${VAR:-default}, ${VAR:?message}, $$).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/platform/paths.js';

const TEXT = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
const SECRETS = {
  DB_PASSWORD: 'db-pass-0123456789abcdef',
  REDIS_PASSWORD: 'redis-pass-0123456789abcdef',
  PUBLIC_URL: 'https://api.example.com',
  APP_URL: 'https://app.example.com',
  SMTP_URL: 'smtp://user:pass@mail.example.com:587',
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----',
  MFA_ENCRYPTION_KEY: 'm'.repeat(40),
};

/** Compose's variable interpolation (the subset the file uses). */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{(\w+)(?::([-?])([^}]*))?\}|\$(\w+)/g, (match, name, op, arg, bare) => {
    if (match === '$$') return '$';
    const key = name ?? bare;
    const value = env[key];
    if (op === '?' && !value) throw new Error(`required variable ${key} is missing a value: ${arg}`);
    if (op === '-' && !value) return arg;
    return value ?? '';
  });
}

interface Service {
  image?: string;
  command?: string[];
  restart?: string;
  cap_drop?: string[];
  security_opt?: string[];
  stop_grace_period?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}
function interpolateAll(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]));
  return value;
}
const load = (env: Record<string, string> = SECRETS) =>
  interpolateAll(parse(TEXT, { merge: true }), env) as { services: Record<string, Service> };
const seconds = (duration: string) => Number(/^(\d+)s$/.exec(duration)?.[1]);

describe('docker-compose.yml', () => {
  const { services } = load();
  const apps = ['api', 'worker', 'migrate'];

  it('refuses to start without each secret, naming it; no secret has a default', () => {
    for (const name of Object.keys(SECRETS)) {
      const env: Record<string, string> = { ...SECRETS };
      delete env[name];
      expect(() => load(env), name).toThrow(new RegExp(`required variable ${name}`));
    }
    // A default only for optional, non-secret settings (or an empty one).
    for (const [, name, def] of TEXT.matchAll(/\$\{(\w+):-([^}]*)\}/g)) {
      if (/PASSWORD|SECRET|TOKEN|_KEY$|_URL$/.test(name!)) expect(def, name).toBe('');
    }
    expect(services.postgres!.environment!.POSTGRES_PASSWORD).toBe(SECRETS.DB_PASSWORD);
  });

  it('puts Redis behind a password the app uses', () => {
    expect(services.redis!.command).toEqual(['redis-server', '--appendonly', 'yes', '--requirepass', SECRETS.REDIS_PASSWORD]);
    for (const name of apps) expect(services[name]!.environment!.REDIS_URL, name).toBe(`redis://:${SECRETS.REDIS_PASSWORD}@redis:6379`);
  });

  it('pins every image to a version', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toMatch(/:\d[\w.-]*$/);
      expect(service.image, name).not.toMatch(/latest/);
    }
  });

  it('drops every capability and forbids privilege gain in every service', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toContain('no-new-privileges:true');
    }
  });

  it('gives the app longer to stop than its own shutdown timeout', () => {
    for (const name of apps) {
      const shutdownMs = Number(services[name]!.environment!.SHUTDOWN_TIMEOUT_MS ?? 10_000);
      expect(seconds(services[name]!.stop_grace_period!) * 1000, name).toBeGreaterThan(shutdownMs);
    }
  });

  it('migrates once, and starts the API and the worker only after the migration succeeded', () => {
    const migrate = services.migrate!;
    expect(migrate.command).toEqual(['node', 'dist/platform/migrate-cli.js']);
    expect(existsSync(join(PROJECT_ROOT, 'src/platform/migrate-cli.ts'))).toBe(true);
    expect(migrate.restart).toBe('no');
    for (const name of ['api', 'worker']) {
      expect(services[name]!.depends_on!.migrate, name).toEqual({ condition: 'service_completed_successfully' });
    }
  });

  it('sets PUBLIC_URL (links in emails) for every app service', () => {
    for (const name of apps) expect(services[name]!.environment!.PUBLIC_URL, name).toBe(SECRETS.PUBLIC_URL);
  });

  it('checks the worker through its /health on the metrics port', () => {
    const worker = services.worker as Service & { healthcheck: { test: string[] } };
    expect(worker.environment!.METRICS_PORT).toBe('9464');
    expect(worker.healthcheck.test.join(' ')).toContain('127.0.0.1:9464/health');
  });
});
