/**
 * Fixed-point decimals for the ledger's replay: a bigint counting units of 10^-30. Every stored
 * column fits (quantity, price and fee have 8 decimals, amount 16, fx_rate 14), so sums and the
 * products of a stored amount and rate are exact; only divisions (a lot's share of a sale, a
 * split's ratio, a per-share figure) round, half-even, at the 30th decimal. Pure: no I/O.
 *
 * Why not decimal.js here: the replay makes ~10 operations per transaction, and a decimal.js
 * object per operation made 100,000 transactions cost seconds, most of it allocation and GC.
 */
import { Decimal } from 'decimal.js';

export const FIXED_PLACES = 30;
export const UNIT = 10n ** BigInt(FIXED_PLACES);
const ZEROS = '0'.repeat(FIXED_PLACES);
const PLAIN = /^-?\d+(\.\d+)?$/;

/** A decimal text (or decimal.js value) as fixed point; digits beyond the 30th decimal round half-even. */
export function toFixedPoint(value: { toFixed(): string } | string | null | undefined): bigint {
  if (value == null) return 0n;
  let text = typeof value === 'string' ? value : value.toFixed();
  if (text === '0') return 0n;
  if (text === '1') return UNIT;
  if (!PLAIN.test(text)) text = new Decimal(text).toFixed();
  const dot = text.indexOf('.');
  if (dot < 0) return BigInt(text) * UNIT;
  const fraction = text.slice(dot + 1);
  if (fraction.length <= FIXED_PLACES) return BigInt(text.slice(0, dot) + fraction + ZEROS.slice(fraction.length));
  const extra = 10n ** BigInt(fraction.length - FIXED_PLACES);
  return roundDiv(BigInt(text.slice(0, dot) + fraction), extra);
}

const POWERS = Array.from({ length: FIXED_PLACES + 1 }, (_, i) => 10n ** BigInt(i));
/** Whole numbers 0..SMALL - 1 as fixed point, made once (quantities and fees repeat them). */
const SMALL = 1024;
const SMALL_WHOLES: bigint[] = Array.from({ length: SMALL }, (_, i) => BigInt(i) * UNIT);

/**
 * The decimal text at text[start, end) as fixed point, read from its characters: no substring
 * for the common case of at most 15 digits (their value is then an exact safe integer); others
 * go through toFixedPoint. `start === end` (an empty cell) is null.
 */
export function fixedPointAt(text: string, start: number, end: number): bigint | null {
  if (start === end) return null;
  let i = start;
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  let n = 0;
  let digits = 0;
  let places = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 && places < 0) places = 0;
    else if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      digits++;
      if (places >= 0) places++;
    } else return toFixedPoint(text.slice(start, end));
  }
  if (digits === 0 || digits > 15 || places === 0) return toFixedPoint(text.slice(start, end));
  const value = places < 0 ? (n < SMALL ? SMALL_WHOLES[n]! : BigInt(n) * UNIT) : BigInt(n) * POWERS[FIXED_PLACES - places]!;
  return negative ? -value : value;
}

/** n / d rounded half-even. */
export function roundDiv(n: bigint, d: bigint): bigint {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  let q = n / d;
  const r = n - q * d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice > d || (twice === d && (q & 1n) !== 0n)) q += n < 0n ? -1n : 1n;
  return q;
}

/** a × b. */
export function mul(a: bigint, b: bigint): bigint {
  if (b === UNIT) return a;
  if (a === UNIT) return b;
  return roundDiv(a * b, UNIT);
}

/** a / b. */
export function div(a: bigint, b: bigint): bigint {
  return b === UNIT ? a : roundDiv(a * UNIT, b);
}

/** a × b / c with one rounding (a's share b / c of something). */
export function mulDiv(a: bigint, b: bigint, c: bigint): bigint {
  return b === c ? a : roundDiv(a * b, c);
}

/**
 * The plain decimal text, trailing zeros trimmed ("1705", "113.66666667"); with `places`,
 * rounded half-even to that many decimals first.
 *
 * Rounded on the digits of one toString, not by a bigint division: printing 81,000 realized lot
 * parts spent most of its time dividing by 10^22.
 */
export function formatFixed(value: bigint, places: number = FIXED_PLACES): string {
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  // At least one whole digit.
  if (digits.length <= FIXED_PLACES) digits = digits.padStart(FIXED_PLACES + 1, '0');
  const scale = Math.max(0, Math.min(places, FIXED_PLACES));
  const cut = digits.length - (FIXED_PLACES - scale);
  let kept = digits.slice(0, cut);
  if (cut < digits.length) {
    const first = digits.charCodeAt(cut) - 48;
    const up = first > 5 || (first === 5 && (!zerosFrom(digits, cut + 1) || (kept.charCodeAt(cut - 1) & 1) === 1));
    if (up) kept = incremented(kept);
  }
  const whole = kept.length - scale;
  let end = kept.length;
  while (end > whole && kept.charCodeAt(end - 1) === 48) end--;
  let start = 0;
  while (start < whole - 1 && kept.charCodeAt(start) === 48) start++;
  const text = end > whole ? `${kept.slice(start, whole)}.${kept.slice(whole, end)}` : kept.slice(start, whole);
  return negative && text !== '0' ? `-${text}` : text;
}

function zerosFrom(digits: string, from: number): boolean {
  for (let i = from; i < digits.length; i++) if (digits.charCodeAt(i) !== 48) return false;
  return true;
}

/** A string of digits plus one, at least as long (leading zeros kept). */
function incremented(digits: string): string {
  const next = digits.length <= 15 ? String(Number(digits) + 1) : (BigInt(digits) + 1n).toString();
  return next.padStart(digits.length, '0');
}

/** decimal.js at 40 significant digits, for callers that go on computing with a figure. */
export const LedgerDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type LedgerDecimal = Decimal;

/** As a decimal.js value (exact). */
export function toDecimal(value: bigint): Decimal {
  return new LedgerDecimal(formatFixed(value));
}
