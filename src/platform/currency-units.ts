/**
 * Currency codes of the ledger: ISO 4217 codes plus the minor units markets quote in
 * (London in pence GBp/GBX, Johannesburg in cents ZAc, Tel Aviv in agorot ILA), each 1/100 of
 * its major currency. Pure: no I/O.
 */
import { Decimal } from 'decimal.js';
import { isCurrencyCode } from './currencies.js';

/** Minor-unit codes, spelled as markets spell them, and the major currency they divide. */
export const MINOR_UNITS: Readonly<Record<string, string>> = { GBp: 'GBP', GBX: 'GBP', ZAc: 'ZAR', ILA: 'ILS' };

const HUNDREDTH = new Decimal('0.01');

/** The major currency of a code and how many major units one unit is (1, or 0.01 for a minor unit). */
export function majorUnit(code: string): { currency: string; factor: Decimal } {
  const major = MINOR_UNITS[code];
  return major ? { currency: major, factor: HUNDREDTH } : { currency: code, factor: new Decimal(1) };
}

/**
 * The canonical spelling of a ledger currency, or null when it is neither ISO 4217 nor a known
 * minor unit. Minor units are case-sensitive where it matters ("GBp" is pence, "GBP" pounds);
 * other codes are upper-cased.
 */
export function canonicalCurrency(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed in MINOR_UNITS) return trimmed;
  if (trimmed === 'GBx') return 'GBX';
  const upper = trimmed.toUpperCase();
  if (upper === 'GBX' || upper === 'ILA') return upper;
  return isCurrencyCode(upper) ? upper : null;
}
