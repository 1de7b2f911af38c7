/**
 * The one grammar for decimal numbers that come from outside (GraphQL's Decimal scalar, import
 * files, REST bodies): a plain decimal string of at most DECIMAL_TEXT_MAX characters, e.g.
 * "-1234.5678". No exponent form: decimal.js would expand "1e600000000" into gigabytes on the
 * first toFixed(), so the text is checked here, before any Decimal is constructed.
 */
import { Decimal } from 'decimal.js';

export const DECIMAL_TEXT_MAX = 40;

const PLAIN_DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Why `text` is not a plain decimal of at most DECIMAL_TEXT_MAX characters, or null when it is one. */
export function decimalTextProblem(text: string): string | null {
  if (text.length > DECIMAL_TEXT_MAX) return `must be at most ${DECIMAL_TEXT_MAX} characters`;
  if (PLAIN_DECIMAL.test(text)) return null;
  return /^[+-]?[\d.]+[eE][+-]?\d+$/.test(text)
    ? 'must be written without an exponent, e.g. "1200" rather than "1.2e3"'
    : 'must be a decimal number such as "12.5"';
}

/**
 * A decimal from a string, or from a JSON number that prints as a plain decimal (10.5, but not
 * 1e21 nor 1e-7): surrounding blanks are ignored. Returns the Decimal or the reason it is refused.
 */
export function parseDecimalText(value: unknown): { value: Decimal } | { problem: string } {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string') return { problem: 'must be a decimal number as a string, e.g. "12.5"' };
  // Trim only a bounded string: the length check comes first.
  if (text.length > DECIMAL_TEXT_MAX * 2) return { problem: `must be at most ${DECIMAL_TEXT_MAX} characters` };
  const trimmed = text.trim();
  const problem = decimalTextProblem(trimmed);
  return problem === null ? { value: new Decimal(trimmed) } : { problem };
}
