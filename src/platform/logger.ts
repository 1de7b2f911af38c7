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

export function loggerOptions(level: string, production: boolean): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: production ? { service: 'foliograph' } : { service: 'foliograph', pid: process.pid },
  };
}
