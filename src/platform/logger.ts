import type { Level, LoggerOptions } from 'pino';
import { redactError, redactLogArguments, redactRequest } from './log-redaction.js';

/**
 * Paths never written to logs (pino's own redaction, a second line behind ./log-redaction.ts,
 * which replaces secrets by field name and by value shape in every log call).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.challengeToken',
  '*.secret',
  '*.code',
  '*.apiKey',
  'variables.*.password',
  'variables.*.newPassword',
  'variables.*.currentPassword',
  'variables.password',
  'variables.newPassword',
  'variables.currentPassword',
  'variables.refreshToken',
  'variables.token',
  'variables.code',
  'connectionParams.authorization',
];

export function loggerOptions(level: string, production: boolean, format: 'pretty' | 'json' = 'json'): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    hooks: {
      logMethod(args, method) {
        return method.apply(this, redactLogArguments(args) as Parameters<typeof method>);
      },
    },
    serializers: {
      err: (error: unknown) => redactError(error),
      error: (error: unknown) => redactError(error),
      req: redactRequest,
    },
    base: production ? { service: 'foliograph' } : { service: 'foliograph', pid: process.pid },
    // Readable lines for a developer's terminal (pino-pretty in a worker thread); JSON otherwise.
    ...(format === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } }
      : {}),
  };
}

/**
 * Changes the log level of a running process: each SIGUSR2 moves to the next of the configured
 * level, debug and trace, then back (`kill -USR2 <pid>`, or `kubectl exec … -- kill -USR2 1`).
 * Request loggers created afterwards follow; the change is logged at warn so it shows at any
 * level. Returns a function that removes the handler.
 */
export function cycleLogLevelOnSignal(
  log: { level: string; warn(obj: object, msg: string): void },
  configured: string,
  signal: NodeJS.Signals = 'SIGUSR2',
): () => void {
  const levels = [...new Set([configured, 'debug', 'trace'])] as Level[];
  const onSignal = () => {
    const next = levels[(levels.indexOf(log.level as Level) + 1) % levels.length]!;
    log.level = next;
    log.warn({ logLevel: next, configured }, `log level is now ${next} (${signal} moves on)`);
  };
  process.on(signal, onSignal);
  return () => process.off(signal, onSignal);
}
