/** The contract's scalars: DateTime (ISO instant), Date (YYYY-MM-DD), Decimal (exact string). */
import { Decimal } from 'decimal.js';
import { Kind, type ValueNode } from 'graphql';
import { formatDate as formatCalendarDate, isCalendarDate } from '../platform/dates.js';
import { parseDecimalText } from '../platform/decimal-text.js';
import { badInput } from '../platform/errors.js';

export { Decimal };

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function fail(scalar: string, message: string): never {
  throw badInput([{ field: scalar, message }], `${scalar}: ${message}`);
}

export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) {
    fail('DateTime', 'expected an ISO-8601 instant such as 2026-11-24T10:30:00.000Z');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) fail('DateTime', `"${value}" is not a valid instant`);
  return date;
}

/** Validates a calendar date (rejects 2026-02-30) and returns it as YYYY-MM-DD. */
export function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) fail('Date', 'expected a calendar date YYYY-MM-DD');
  if (!isCalendarDate(value)) fail('Date', `"${value}" is not a real calendar date`);
  return value;
}

/** Prints a Date scalar (platform/dates.ts decides how); a bad string is the caller's input error. */
export function formatDate(value: Date | string): string {
  if (typeof value === 'string') return isCalendarDate(value) ? value : parseDate(value);
  return formatCalendarDate(value);
}

/**
 * Decimals arrive as plain decimal strings (exact, at most 40 characters, no exponent: the
 * grammar of src/platform/decimal-text.ts); JSON numbers and literals are accepted as written.
 */
export function parseDecimal(value: unknown): Decimal {
  const parsed = parseDecimalText(value);
  if ('problem' in parsed) fail('Decimal', parsed.problem);
  return parsed.value;
}

const CANONICAL_DECIMAL = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;

export function serializeDecimal(value: unknown): string {
  if (value instanceof Decimal) return value.toFixed();
  // Already canonical (no exponent, no trailing fraction zeros): as is, without a decimal.js parse.
  if (typeof value === 'string') return CANONICAL_DECIMAL.test(value) && value !== '-0' ? value : new Decimal(value).toFixed();
  if (typeof value === 'number' && Number.isFinite(value)) return new Decimal(value).toFixed();
  // Prisma's Decimal is a decimal.js build of its own: duck-type it.
  if (value !== null && typeof value === 'object' && 'toFixed' in value) {
    return (value as { toFixed(): string }).toFixed();
  }
  throw new TypeError(`cannot serialize ${String(value)} as Decimal`);
}

/** Literal values in the query text, e.g. `quantity: "10.5"` or `quantity: 10.5`. */
export function literalText(ast: ValueNode): unknown {
  if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return ast.value;
  return undefined;
}
