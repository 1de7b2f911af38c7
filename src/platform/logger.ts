import type { LoggerOptions } from 'pino';
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
