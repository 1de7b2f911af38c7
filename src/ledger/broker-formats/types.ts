/**
 * What a broker file reader gives the ledger: one row per transaction, in our transaction CSV's
 * column names (docs/import-export.md), so the ledger's one row checker reads every format.
 */

/** The contract's TransactionFileFormat values that are brokers' own files. */
export const BROKER_FORMAT_NAMES = ['IBKR_FLEX_XML', 'SCHWAB_CSV', 'FIDELITY_CSV', 'TRADING212_CSV', 'DEGIRO_CSV'] as const;
export type BrokerFormatName = (typeof BROKER_FORMAT_NAMES)[number];

/** Our transaction CSV's columns that a broker row can fill. */
export type TransactionField =
  | 'date'
  | 'type'
  | 'symbol'
  | 'quantity'
  | 'price'
  | 'amount'
  | 'fee'
  | 'currency'
  | 'toAmount'
  | 'toCurrency'
  | 'splitFrom'
  | 'splitTo'
  | 'notes';

export interface BrokerRow {
  /** Where the transaction is in the file: the CSV line its record starts on (the header is a line too), the XML element's line, or a JSON entry's 1-based position. */
  row: number;
  /** The broker's own id of the transaction (trade id, order id, ...); null when the file has none. */
  externalId: string | null;
  /** date YYYY-MM-DD, type (our TransactionType), decimals as plain text (quantity positive). */
  fields: Record<string, string>;
}

export interface BrokerProblem {
  row: number;
  field?: string;
  message: string;
}

export interface BrokerFile {
  /** Oldest first (a newest-first export is turned round); rows of one day keep the order they happened in. */
  rows: BrokerRow[];
  problems: BrokerProblem[];
}

export interface BrokerFormat {
  /** Whether the text looks like this broker's file (its header or root element). */
  detect(text: string): boolean;
  read(text: string): BrokerFile;
}
