/**
 * Brokers' own files as they download them (docs/import-export.md, "Broker files"): each
 * format's reader turns the text into rows in our transaction CSV's columns, for the ledger's
 * import to check and insert. Pure: no I/O, no framework.
 */
import { degiro } from './degiro.js';
import { fidelity } from './fidelity.js';
import { ibkrFlex } from './ibkr-flex.js';
import { schwab } from './schwab.js';
import { trading212 } from './trading212.js';
import { BROKER_FORMAT_NAMES, type BrokerFile, type BrokerFormat, type BrokerFormatName } from './types.js';

export { BROKER_FORMAT_NAMES };
export type { BrokerFile, BrokerFormat, BrokerFormatName, BrokerProblem, BrokerRow } from './types.js';

export const BROKER_FORMATS: Readonly<Record<BrokerFormatName, BrokerFormat>> = {
  IBKR_FLEX_XML: ibkrFlex,
  SCHWAB_CSV: schwab,
  FIDELITY_CSV: fidelity,
  TRADING212_CSV: trading212,
  DEGIRO_CSV: degiro,
};

/** The broker whose file this is, or null (our own CSV or JSON, or a file no reader knows). */
export function detectBrokerFormat(text: string): BrokerFormatName | null {
  return BROKER_FORMAT_NAMES.find((name) => BROKER_FORMATS[name].detect(text)) ?? null;
}

const isBrokerFormat = (format: string): format is BrokerFormatName => (BROKER_FORMAT_NAMES as readonly string[]).includes(format);

/**
 * The registry as the ledger's import asks it: which broker's file this is, and the file read
 * by the format's name (null for a format that is not a broker's, such as our own CSV).
 */
export const BROKER_READERS = {
  detect: detectBrokerFormat,
  read: (format: string, text: string): BrokerFile | null => (isBrokerFormat(format) ? BROKER_FORMATS[format].read(text) : null),
};
