/**
 * The v1 lists' `?sort=` and the v2 cursors of plain lists (a connection has its own cursors).
 * Sorting happens here over the whole list, so v1 sorts lists of up to V1_MAX_ITEMS items; v1
 * pages without a sort reach that far too (a connection is read 100 items at a time); v2
 * cursors page through any length.
 */
import { badInput } from '../platform/errors.js';

export const V1_MAX_ITEMS = 1000;

export interface SortKey {
  field: string;
  descending: boolean;
}

/** `-createdAt,name` as sort keys; BAD_USER_INPUT naming any field not in `allowed`. */
export function checkSort(text: string, allowed: readonly string[]): SortKey[] {
  const keys = text.split(',').map((part) => ({ field: part.replace(/^-/, ''), descending: part.startsWith('-') }));
  const unknown = keys.filter((key) => !allowed.includes(key.field));
  if (unknown.length) {
    throw badInput([
      { field: 'sort', message: `cannot sort by ${unknown.map((k) => k.field || '(empty)').join(', ')}; fields: ${allowed.join(', ')}` },
    ]);
  }
  return keys;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Numbers and decimal strings by value, other strings by code point (ISO dates sort as dates), nulls last. */
function compare(a: unknown, b: unknown): number {
  if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    if (DECIMAL.test(a) && DECIMAL.test(b)) return Number(a) - Number(b);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

/** A sorted copy (stable: equal items keep the API's order). */
export function sortItems<T extends Record<string, unknown>>(items: readonly T[], keys: readonly SortKey[]): T[] {
  return [...items].sort((x, y) => {
    for (const { field, descending } of keys) {
      const order = compare(x[field], y[field]);
      // Nulls stay last whichever the direction.
      if (order !== 0) return descending && x[field] != null && y[field] != null ? -order : order;
    }
    return 0;
  });
}

const CURSOR_PREFIX = 'offset:';

export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${offset}`).toString('base64url');
}

/** The offset of a cursor from encodeOffsetCursor, or null. */
export function decodeOffsetCursor(cursor: string): number | null {
  const text = Buffer.from(cursor, 'base64url').toString();
  if (!text.startsWith(CURSOR_PREFIX)) return null;
  const offset = Number(text.slice(CURSOR_PREFIX.length));
  return Number.isSafeInteger(offset) && offset >= 0 ? offset : null;
}
