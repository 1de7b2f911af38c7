/**
 * Configuration from environment variables, validated once at start. Names and development
 * defaults follow ../shared/contract/README.md ("Configuration operators rely on").
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const DEV_MFA_KEY = 'foliograph-development-only-mfa-key-0000000000';

const intFromEnv = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
/** An optional boolean switch; undefined when unset, so the default can depend on NODE_ENV. */
const optionalBool = () =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes'));
/** An optional value where an empty string (a blank Secret entry) means unset. */
const blankIsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    );

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: intFromEnv(4000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgresql://postgres@127.0.0.1:5432/foliograph'),
  /** Connections of the API's PostgreSQL pool, per process (size it so replicas x pool stays under max_connections). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  /** Prefix for every Redis key and channel: several deployments (or test files) can share one Redis. */
  REDIS_PREFIX: z.string().default('foliograph:'),
  /** A Redis command that takes longer fails (and Redis is skipped until it answers again); 0 = no timeout. */
  REDIS_COMMAND_TIMEOUT_MS: intFromEnv(500),
  /**
   * How long Redis may remember that a session is live before PostgreSQL is asked again (s).
   * Bounds how long a session deleted or revoked behind the API's back keeps working.
   */
  SESSION_LIVE_CACHE_SECONDS: intFromEnv(60),
  APP_URL: z.url().default('http://localhost:5173'),
  /** This API's own public origin, for links that point at it (one-click unsubscribe, report downloads); http://localhost:PORT when unset. */
  PUBLIC_URL: z.url().optional(),
  /** Extra CORS origins besides APP_URL, comma separated. */
  CORS_ORIGINS: z.string().default(''),
  /** `json` keeps development logs as JSON lines; otherwise development logs are pretty-printed. */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  /** `only`: run only the typed SDK's operations (trusted documents); `off`: any operation (with APQ). */
  TRUSTED_DOCUMENTS: z.enum(['off', 'only']).default('off'),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('foliograph <no-reply@foliograph.local>'),
  JWT_PRIVATE_KEY: z.string().optional(),
  /** Earlier signing keys (PEM, private or public, concatenated): tokens they signed still verify and they stay in the JWKS. */
  JWT_PREVIOUS_KEYS: blankIsUnset(z.string()),
  /** Where a development signing key is kept between starts (git-ignored). */
  JWT_KEY_FILE: z.string().default('.keys/jwt-private.pem'),
  JWT_ISSUER: z.string().default('foliograph'),
  JWT_AUDIENCE: z.string().default('foliograph-api'),
  /** Key that encrypts TOTP secrets at rest (any string; a 256-bit key is derived from it). */
  MFA_ENCRYPTION_KEY: z.string().min(32, 'must be at least 32 characters').default(DEV_MFA_KEY),
  /** Earlier MFA_ENCRYPTION_KEY values, comma separated: what they sealed stays readable (see `npm run keys:reseal`). */
  MFA_PREVIOUS_KEYS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  MARKET_PROVIDERS: list('simulated'),
  /** FX rate sources in order (ecb, yahoo); the simulated rates answer whatever they do not. */
  FX_PROVIDERS: list('simulated'),
  /** Replayed ledgers kept in memory per process, counted in transactions (0: no cache). */
  LEDGER_CACHE_TRANSACTIONS: intFromEnv(300_000),
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
  /** Document limits checked before validation (src/graphql/limits.ts); the SDK's largest operation has under 200 tokens. */
  QUERY_MAX_TOKENS: z.coerce.number().int().min(100).default(2000),
  QUERY_MAX_ALIASES: intFromEnv(30),
  QUERY_MAX_DIRECTIVES: intFromEnv(30),
  /** Field selections of a document, and of an operation with its fragments expanded. */
  QUERY_MAX_BREADTH: z.coerce.number().int().min(1).default(200),
  /** Trust X-Forwarded-For from this many proxies (behind a load balancer: 1). */
  TRUST_PROXY: intFromEnv(0),
  SHUTDOWN_TIMEOUT_MS: intFromEnv(10_000),
  /**
   * On SIGTERM, keep accepting requests this long (ms) before closing the listener, so the
   * load balancer sees the instance go unready (/ready answers 503) and stops sending to it.
   */
  SHUTDOWN_DRAIN_MS: intFromEnv(0),
  /** A request whose headers are not all in by then is answered 408 and closed (ms; half-open connections). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  /** A request (headers and body) not received in full by then is answered 408 and closed (ms). */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  /**
   * An idle keep-alive connection is closed after this long (ms). Longer than a balancer's idle
   * timeout for its upstream connections (nginx, cloud balancers: 60 s), or the balancer reuses a
   * connection this side is closing and a POST fails with 502 (the cluster test saw it at 5 s).
   */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1).default(72_000),
  /** An email queued this long ago and not sent is queued again (same job id: a no-op unless Redis lost the job), in ms. */
  EMAIL_REQUEUE_AFTER_MS: z.coerce.number().int().min(1).default(60_000),
  /** Deepest nesting of a JSON request body; deeper bodies are refused (400) before they are parsed. */
  JSON_MAX_DEPTH: z.coerce.number().int().min(2).default(64),
  /** Messages a WebSocket may send before its connection_init is acknowledged; the next closes it with 4429. */
  WS_MESSAGES_BEFORE_ACK: z.coerce.number().int().min(1).default(8),
  /** Accounts that may be created from one IP address per hour (register); 0 = no limit. */
  REGISTRATIONS_PER_IP_PER_HOUR: intFromEnv(5),
  /** sharePortfolio calls one user may make per hour (each tells whether an address has an account); 0 = no limit. */
  SHARES_PER_USER_PER_HOUR: intFromEnv(30),
  /** Open WebSocket connections per user, across instances; over it the socket closes with 4429. 0 = no limit. */
  WS_CONNECTIONS_PER_USER: intFromEnv(10),
  /** Open WebSocket connections per client IP address, across instances (4429). 0 = no limit. */
  WS_CONNECTIONS_PER_IP: intFromEnv(50),
  /** Running subscriptions per user, across connections and instances; over it a subscribe gets RATE_LIMITED. 0 = no limit. */
  SUBSCRIPTIONS_PER_USER: intFromEnv(100),
  /** Serve /metrics on this port only (not on PORT); 0 = on PORT. In production /metrics needs this or METRICS_TOKEN. */
  METRICS_PORT: intFromEnv(0),
  /** Bearer token that /metrics requires when set (Prometheus' `authorization` credentials). */
  METRICS_TOKEN: blankIsUnset(z.string().min(16, 'must be at least 16 characters')),
  /** OTLP/HTTP collector base URL (e.g. http://otel-collector:4318); tracing is off when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: blankIsUnset(z.url()),
  OTEL_SERVICE_NAME: blankIsUnset(z.string()),
  /** Which traces are kept (OpenTelemetry's names); by default a ratio of new traces, and whatever the caller sampled. */
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .default('parentbased_traceidratio'),
  /** The ratio of the *traceidratio samplers (0 to 1). */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(0.1),
  /** Sentry DSN: errors are reported to Sentry when set (off by default). */
  SENTRY_DSN: blankIsUnset(z.url()),
  /** Alerts one user may have at a time (createAlert refuses more). */
  ALERTS_PER_USER: intFromEnv(50),
  // Transactions one account's portfolios may hold (imports included); 0 = no cap.
  MAX_TRANSACTIONS_PER_ACCOUNT: intFromEnv(250_000),
  /** The unrealized loss (in a portfolio's base currency) from which a lot is a tax-lot suggestion, unless minLoss is given. */
  TAX_LOT_MIN_LOSS: z
    .string()
    .regex(/^\d{1,12}(\.\d{1,8})?$/, 'must be a plain non-negative decimal, like 100 or 250.50')
    .default('100'),
  /** Serve the queue dashboard at /admin/queues (needs OPERATOR_TOKEN); on by default outside production. */
  QUEUE_DASHBOARD: optionalBool(),
  /** The operator credential for the queue dashboard: `Authorization: Bearer <token>` (16+ characters). */
  OPERATOR_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Request budget per user (per IP when anonymous) per minute, shared by every replica: a
   * GraphQL operation costs its complexity (at most QUERY_MAX_COMPLEXITY); 0 = no limit.
   */
  RATE_LIMIT_COST_PER_MINUTE: intFromEnv(20_000),
  /** Worker threads for heavy analytics (src/analytics/compute.ts); default: the cores but one (at least 1). */
  ANALYTICS_THREADS: z.coerce
    .number()
    .int()
    .min(1)
    .default(Math.max(1, availableParallelism() - 1)),
  /** Heavy analytics computations that may wait for a thread; more are refused (RATE_LIMITED). */
  ANALYTICS_QUEUE: z.coerce.number().int().min(1).default(64),
  /** Heavy analytics computations one user may have running at a time, across replicas (RATE_LIMITED beyond); 0 = no limit. */
  ANALYTICS_CONCURRENCY_PER_USER: intFromEnv(2),
  /** Estimated work (cells, src/analytics/compute.ts) from which a report is computed in a worker thread. */
  ANALYTICS_OFFLOAD_CELLS: intFromEnv(250_000),
});

export type Config = ReturnType<typeof finalize>;

/** The MFA keys of a configuration (earlier ones optional, so a bare `{ MFA_ENCRYPTION_KEY }` serves in tests). */
export interface MfaKeyConfig {
  MFA_ENCRYPTION_KEY: string;
  MFA_PREVIOUS_KEYS?: readonly string[];
}

/** Every key that may have sealed or signed something still around: the current one first. */
export function mfaKeys(config: MfaKeyConfig): string[] {
  return [config.MFA_ENCRYPTION_KEY, ...(config.MFA_PREVIOUS_KEYS ?? []).filter((k) => k !== config.MFA_ENCRYPTION_KEY)];
}

function finalize(env: z.infer<typeof envSchema>) {
  const production = env.NODE_ENV === 'production';
  return {
    ...env,
    production,
    RUN_WORKER_IN_PROCESS: env.RUN_WORKER_IN_PROCESS ?? !production,
    SEED_DEMO: env.SEED_DEMO ?? !production,
    LOG_FORMAT: env.LOG_FORMAT ?? (env.NODE_ENV === 'development' ? 'pretty' : 'json'),
    QUEUE_DASHBOARD: env.QUEUE_DASHBOARD ?? !production,
    PUBLIC_URL: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The secret variables, each of which may instead be given as `<NAME>_FILE`: a file holding the
 * value (Kubernetes Secret volumes, Docker secrets, a Vault agent), as the contract's
 * "Configuration" says.
 */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'JWT_PRIVATE_KEY',
  'JWT_PREVIOUS_KEYS',
  'MFA_ENCRYPTION_KEY',
  'MFA_PREVIOUS_KEYS',
  'SMTP_URL',
  'OPERATOR_TOKEN',
  'METRICS_TOKEN',
  'ALPHAVANTAGE_API_KEY',
  'SENTRY_DSN',
] as const;

/** `env` with every `<NAME>_FILE` replaced by NAME = the file's content (a trailing newline dropped). */
function readSecretFiles(env: NodeJS.ProcessEnv, problems: string[]): NodeJS.ProcessEnv {
  const resolved = { ...env };
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) {
      problems.push(`${name}_FILE: ${name} is set too; give one of them`);
      continue;
    }
    try {
      resolved[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      // The path and the reason, never the content.
      problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  return resolved;
}

/** Parses and checks the environment; throws ConfigError listing every problem. */
export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): Config {
  const fileProblems: string[] = [];
  const env = readSecretFiles(rawEnv, fileProblems);
  if (fileProblems.length > 0) throw new ConfigError(fileProblems);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const config = finalize(parsed.data);
  const problems: string[] = [];
  if (config.production) {
    if (!env.PUBLIC_URL) {
      problems.push(
        "PUBLIC_URL: required in production (this API's public origin, e.g. https://api.example.com: links in emails point at it)",
      );
    }
    // Production refuses development secrets: every token and TOTP secret would be forgeable.
    if (!config.JWT_PRIVATE_KEY) problems.push('JWT_PRIVATE_KEY: required in production (a PEM private key)');
    if (!env.MFA_ENCRYPTION_KEY || config.MFA_ENCRYPTION_KEY === DEV_MFA_KEY) {
      problems.push('MFA_ENCRYPTION_KEY: required in production (at least 32 random characters)');
    }
    if (config.MFA_PREVIOUS_KEYS.includes(DEV_MFA_KEY)) problems.push('MFA_PREVIOUS_KEYS: the development key is not a key');
    if (!config.SMTP_URL) problems.push('SMTP_URL: required in production (emails cannot only be logged)');
  }
  const known = ['simulated', 'alphavantage', 'yahoo'];
  for (const name of config.MARKET_PROVIDERS) {
    if (!known.includes(name)) problems.push(`MARKET_PROVIDERS: unknown provider "${name}" (known: ${known.join(', ')})`);
  }
  const knownFx = ['ecb', 'yahoo', 'simulated'];
  for (const name of config.FX_PROVIDERS) {
    if (!knownFx.includes(name)) problems.push(`FX_PROVIDERS: unknown FX source "${name}" (known: ${knownFx.join(', ')})`);
  }
  if (config.MARKET_PROVIDERS.includes('alphavantage') && !config.ALPHAVANTAGE_API_KEY) {
    problems.push('ALPHAVANTAGE_API_KEY: required when MARKET_PROVIDERS includes alphavantage');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
