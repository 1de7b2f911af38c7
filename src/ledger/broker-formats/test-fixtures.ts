/** The golden files (written for these tests in each broker's format) and a compact view of what a reader gives. */
import { readFileSync } from 'node:fs';
import type { BrokerFile } from './types.js';

export const GOLDEN_FILES = {
  IBKR_FLEX_XML: 'ibkr-flex.xml',
  SCHWAB_CSV: 'schwab-transactions.csv',
  FIDELITY_CSV: 'fidelity-history.csv',
  TRADING212_CSV: 'trading212-history.csv',
  DEGIRO_CSV: 'degiro-transactions.csv',
} as const;

export function golden(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

/** Each row as [row, externalId, fields]. */
export const rowsOf = (file: BrokerFile) => file.rows.map((r) => [r.row, r.externalId, r.fields] as const);

/** The lines of a CSV text with one line replaced (1-based), line ends kept as the file has them. */
export function withLine(text: string, line: number, replacement: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  lines[line - 1] = replacement;
  return lines.join(eol);
}
