import type { LoggerOptions } from 'pino';

/** Paths never written to logs, wherever they appear (request bodies, headers, variables). */
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
    base: production ? { service: 'foliograph' } : { service: 'foliograph', pid: process.pid },
    // Readable lines for a developer's terminal (pino-pretty in a worker thread); JSON otherwise.
    ...(format === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } }
      : {}),
  };
}
