/**
 * Fingerprints of a ledger as of a day: for date D, SHA-256 over the transactions dated ≤ D in
 * ledger order, each as the read model reads it (exact text cells). The daily snapshot job stores
 * the fingerprint of the ledger as of the snapshot's day; the analytics use a stored value only
 * while the ledger's fingerprint for that day is the same, so a transaction recorded, changed or
 * deleted later with a date ≤ D (a back-dated SELL, DIVIDEND, DEPOSIT, a BUY's new price) makes
 * that day computed again, while one dated after D leaves it alone.
 */
import { createHash } from 'node:crypto';
import type { SnapshotTransaction } from './read-model.js';

/**
 * The fingerprint of `transactions` (the whole ledger, in ledger order) as of each of `dates`
 * (ascending): one running hash over the ledger, copied at each date.
 */
export function ledgerFingerprints(transactions: readonly SnapshotTransaction[], dates: readonly string[]): string[] {
  const hash = createHash('sha256');
  const fingerprints: string[] = [];
  let next = 0;
  for (const date of dates) {
    for (; next < transactions.length && transactions[next]!.date <= date; next++) hash.update(cellsText(transactions[next]!));
    fingerprints.push(hash.copy().digest('base64url'));
  }
  return fingerprints;
}

/** One line per transaction; JSON quoting keeps the cells apart whatever they contain. */
function cellsText(t: SnapshotTransaction): string {
  return `${JSON.stringify([t.type, t.date, t.symbol, t.quantity, t.price, t.amount, t.fee, t.currency, t.fxRate, t.splitFrom, t.splitTo])}\n`;
}
