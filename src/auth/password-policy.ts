/**
 * What a new password must satisfy (registration, reset, change): 10 to 256 characters and not
 * one of the most common passwords (common-passwords.txt, compared case-insensitively).
 * The upper bound keeps one hash request from being a cheap way to burn CPU.
 */
import { readFileSync } from 'node:fs';
import type { FieldProblem } from '../platform/errors.js';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  // Beside this module: src/auth/ under tsx, dist/auth/ once built (scripts/copy-build-data.mjs).
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => line.toLowerCase()),
);

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

/** The problems with a proposed password, reported under `field` (empty when it is fine). */
export function passwordProblems(password: string, field: string): FieldProblem[] {
  // Count characters as people see them (code points), not UTF-16 units.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return [{ field, message: `must be at least ${PASSWORD_MIN_LENGTH} characters` }];
  if (length > PASSWORD_MAX_LENGTH) return [{ field, message: `must be at most ${PASSWORD_MAX_LENGTH} characters` }];
  if (isCommonPassword(password)) return [{ field, message: 'is too common; choose a password that is hard to guess' }];
  return [];
}
