/**
 * Configuration from environment variables, validated once at start. Names and development
 * defaults follow ../shared/contract/README.md ("Configuration operators rely on").
 */
import { z } from 'zod';

const DEV_MFA_KEY = 'foliograph-development-only-mfa-key-0000000000';

const intFromEnv = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
/** An optional boolean switch; undefined when unset, so the default can depend on NODE_ENV. */
const optionalBool = () =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes'));
const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) => v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: intFromEnv(4000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgresql://postgres@127.0.0.1:5432/foliograph'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /** Prefix for every Redis key and channel: several deployments (or test files) can share one Redis. */
  REDIS_PREFIX: z.string().default('foliograph:'),
  APP_URL: z.url().default('http://localhost:5173'),
  /** Extra CORS origins besides APP_URL, comma separated. */
  CORS_ORIGINS: z.string().default(''),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('foliograph <no-reply@foliograph.local>'),
  JWT_PRIVATE_KEY: z.string().optional(),
  /** Where a development signing key is kept between starts (git-ignored). */
  JWT_KEY_FILE: z.string().default('.keys/jwt-private.pem'),
  JWT_ISSUER: z.string().default('foliograph'),
  JWT_AUDIENCE: z.string().default('foliograph-api'),
  /** Key that encrypts TOTP secrets at rest (any string; a 256-bit key is derived from it). */
  MFA_ENCRYPTION_KEY: z.string().min(32, 'must be at least 32 characters').default(DEV_MFA_KEY),
  MARKET_PROVIDERS: list('simulated'),
  MARKET_FEED_INTERVAL_MS: intFromEnv(1000),
  ALPHAVANTAGE_API_KEY: z.string().optional(),
  ALPHAVANTAGE_CALLS_PER_MINUTE: intFromEnv(5),
  RISK_FREE_RATE: z.coerce.number().min(-1).max(1).default(0),
  /** Run the worker's jobs (email, price feed) inside the API process; on by default outside production. */
  RUN_WORKER_IN_PROCESS: optionalBool(),
  /** Seed the demo account on an empty database; on by default outside production. */
  SEED_DEMO: optionalBool(),
  QUERY_MAX_DEPTH: intFromEnv(12),
  QUERY_MAX_COMPLEXITY: intFromEnv(5000),
  /** Trust X-Forwarded-For from this many proxies (behind a load balancer: 1). */
  TRUST_PROXY: intFromEnv(0),
  SHUTDOWN_TIMEOUT_MS: intFromEnv(10_000),
  /** Accounts that may be created from one IP address per hour (register); 0 = no limit. */
  REGISTRATIONS_PER_IP_PER_HOUR: intFromEnv(5),
  /**
   * Request budget per user (per IP when anonymous) per minute, shared by every replica: a
   * GraphQL operation costs its complexity (at most QUERY_MAX_COMPLEXITY); 0 = no limit.
   */
  RATE_LIMIT_COST_PER_MINUTE: intFromEnv(20_000),
});

export type Config = ReturnType<typeof finalize>;

function finalize(env: z.infer<typeof envSchema>) {
  const production = env.NODE_ENV === 'production';
  return {
    ...env,
    production,
    RUN_WORKER_IN_PROCESS: env.RUN_WORKER_IN_PROCESS ?? !production,
    SEED_DEMO: env.SEED_DEMO ?? !production,
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and checks the environment; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const config = finalize(parsed.data);
  const problems: string[] = [];
  if (config.production) {
    // Production refuses development secrets: every token and TOTP secret would be forgeable.
    if (!config.JWT_PRIVATE_KEY) problems.push('JWT_PRIVATE_KEY: required in production (a PEM private key)');
    if (!env.MFA_ENCRYPTION_KEY || config.MFA_ENCRYPTION_KEY === DEV_MFA_KEY) {
      problems.push('MFA_ENCRYPTION_KEY: required in production (at least 32 random characters)');
    }
    if (!config.SMTP_URL) problems.push('SMTP_URL: required in production (emails cannot only be logged)');
  }
  const known = ['simulated', 'alphavantage', 'yahoo'];
  for (const name of config.MARKET_PROVIDERS) {
    if (!known.includes(name)) problems.push(`MARKET_PROVIDERS: unknown provider "${name}" (known: ${known.join(', ')})`);
  }
  if (config.MARKET_PROVIDERS.includes('alphavantage') && !config.ALPHAVANTAGE_API_KEY) {
    problems.push('ALPHAVANTAGE_API_KEY: required when MARKET_PROVIDERS includes alphavantage');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
