/**
 * Input rules for portfolios (and the text rules the ledger's inputs share). Each check records every
 * problem it finds in a `Problems` list (field + message) instead of throwing at the first, so
 * a client hears about all of them at once (BAD_USER_INPUT, extensions.details). The GraphQL
 * mutations and the importer use the same checks (investments and transactions: src/ledger/validation.ts).
 */
import { Problems } from '../platform/errors.js';
import type { CostBasisMethod } from '../generated/prisma/enums.js';
import { isCurrencyCode } from '../platform/currencies.js';

export const NAME_MAX = 255;
export const DESCRIPTION_MAX = 2_000;
/** More than `max` characters (code points); a string of over 2 × max UTF-16 units is, without counting. */
function longerThan(text: string, max: number): boolean {
  return text.length > 2 * max || [...text].length > max;
}

/** A required name: trimmed, 1 to NAME_MAX characters. */
export function checkName(problems: Problems, field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) problems.add(field, 'must not be empty');
  else if (longerThan(trimmed, NAME_MAX)) problems.add(field, `must be at most ${NAME_MAX} characters`);
  return trimmed;
}

/** Optional free text: trimmed, blank becomes null, undefined stays undefined (not given). */
export function checkOptionalText(
  problems: Problems,
  field: string,
  value: string | null | undefined,
  max: number,
): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const trimmed = value.trim();
  if (longerThan(trimmed, max)) problems.add(field, `must be at most ${max} characters`);
  return trimmed === '' ? null : trimmed;
}

/** An ISO 4217 code, upper-cased. */
export function checkCurrency(problems: Problems, field: string, value: string): string {
  const code = value.trim().toUpperCase();
  if (!isCurrencyCode(code)) problems.add(field, `"${value}" is not an active ISO 4217 currency code`);
  return code;
}

// ---------------------------------------------------------------------------------- inputs

export const DEFAULT_BASE_CURRENCY = 'USD';

export interface PortfolioInput {
  name: string;
  description?: string | null;
  isPublic?: boolean | null;
  baseCurrency?: string | null;
  costBasisMethod?: CostBasisMethod | null;
}

export interface PortfolioPatch {
  name?: string | null;
  description?: string | null;
  isPublic?: boolean | null;
  costBasisMethod?: CostBasisMethod | null;
}

/** Checks a new portfolio's fields. */
export function checkPortfolioInput(problems: Problems, input: PortfolioInput, field = (name: string) => name) {
  return {
    name: checkName(problems, field('name'), input.name),
    description: checkOptionalText(problems, field('description'), input.description, DESCRIPTION_MAX) ?? null,
    isPublic: input.isPublic ?? false,
    baseCurrency: checkCurrency(problems, field('baseCurrency'), input.baseCurrency ?? DEFAULT_BASE_CURRENCY),
    costBasisMethod: input.costBasisMethod ?? 'FIFO',
  };
}
