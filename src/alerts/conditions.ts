/**
 * Alert conditions, pure: what a condition measures and when it holds. No I/O.
 *
 * - PRICE_ABOVE / PRICE_BELOW: the tick's price ≥ / ≤ threshold (quote currency).
 * - DAY_CHANGE_PERCENT_ABOVE / _BELOW: the tick's changePercent (percent, 1.25 = 1.25 %) ≥ / ≤
 *   threshold; a tick without a day change never satisfies them.
 * - PORTFOLIO_VALUE_BELOW: the portfolio's live totalValue ≤ threshold.
 * - PORTFOLIO_DRIFT_ABOVE: the drift (`Portfolio.rebalance(targets).driftBefore`: the largest
 *   |weight − target| by symbol) against the targets stored with the alert is > threshold.
 *
 * Firing is edge-triggered: an armed alert fires when its condition holds; a repeat alert is
 * armed again only once the condition has cleared, so a price hovering above a line fires once.
 */
import { Decimal } from 'decimal.js';

export const ALERT_CONDITIONS = [
  'PRICE_ABOVE',
  'PRICE_BELOW',
  'DAY_CHANGE_PERCENT_ABOVE',
  'DAY_CHANGE_PERCENT_BELOW',
  'PORTFOLIO_VALUE_BELOW',
  'PORTFOLIO_DRIFT_ABOVE',
] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];
export const ALERT_CHANNELS = ['EMAIL', 'IN_APP'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

export const SYMBOL_CONDITIONS: ReadonlySet<AlertCondition> = new Set([
  'PRICE_ABOVE',
  'PRICE_BELOW',
  'DAY_CHANGE_PERCENT_ABOVE',
  'DAY_CHANGE_PERCENT_BELOW',
]);
export const isSymbolCondition = (condition: AlertCondition): boolean => SYMBOL_CONDITIONS.has(condition);

/** What was measured for one alert: a decimal text (price, value), a number (percent, drift), or nothing. */
export type Measurement = { value: string | number } | null;

export function conditionHolds(condition: AlertCondition, threshold: string, measured: Measurement): boolean {
  if (!measured) return false;
  const value = new Decimal(measured.value);
  const limit = new Decimal(threshold);
  switch (condition) {
    case 'PRICE_ABOVE':
    case 'DAY_CHANGE_PERCENT_ABOVE':
      return value.gte(limit);
    case 'PRICE_BELOW':
    case 'DAY_CHANGE_PERCENT_BELOW':
    case 'PORTFOLIO_VALUE_BELOW':
      return value.lte(limit);
    case 'PORTFOLIO_DRIFT_ABOVE':
      return value.gt(limit);
  }
}

/** What to do with an alert after a measurement. */
export type Transition = 'fire' | 'rearm' | 'none';

export function transition(alert: { armed: boolean; repeat: boolean }, holds: boolean): Transition {
  if (alert.armed) return holds ? 'fire' : 'none';
  return !holds && alert.repeat ? 'rearm' : 'none';
}

const LABEL: Record<AlertCondition, string> = {
  PRICE_ABOVE: 'rose to or above',
  PRICE_BELOW: 'fell to or below',
  DAY_CHANGE_PERCENT_ABOVE: 'day change reached or passed',
  DAY_CHANGE_PERCENT_BELOW: 'day change fell to or below',
  PORTFOLIO_VALUE_BELOW: 'value fell to or below',
  PORTFOLIO_DRIFT_ABOVE: 'drift from its targets passed',
};

/** The notification's title and body for a firing. */
export function describeFiring(
  alert: { condition: AlertCondition; symbol: string | null; threshold: string },
  subject: string,
  measured: string | number,
): { title: string; body: string } {
  const threshold = new Decimal(alert.threshold).toFixed();
  const shown = typeof measured === 'number' ? Number(measured.toPrecision(6)).toString() : new Decimal(measured).toFixed();
  switch (alert.condition) {
    case 'PRICE_ABOVE':
    case 'PRICE_BELOW':
      return {
        title: `${subject} ${LABEL[alert.condition]} ${threshold}`,
        body: `${subject} is at ${shown} (your alert: ${LABEL[alert.condition]} ${threshold}).`,
      };
    case 'DAY_CHANGE_PERCENT_ABOVE':
    case 'DAY_CHANGE_PERCENT_BELOW':
      return {
        title: `${subject} ${LABEL[alert.condition]} ${threshold}%`,
        body: `${subject} is ${shown}% on the day (your alert: ${threshold}%).`,
      };
    case 'PORTFOLIO_VALUE_BELOW':
      return {
        title: `${subject}: ${LABEL[alert.condition]} ${threshold}`,
        body: `${subject} is worth ${shown} (your alert: ${LABEL[alert.condition]} ${threshold}).`,
      };
    case 'PORTFOLIO_DRIFT_ABOVE':
      return {
        title: `${subject}: ${LABEL[alert.condition]} ${threshold}`,
        body: `${subject} has drifted ${shown} from its target weights (tolerance ${threshold}); consider rebalancing.`,
      };
  }
}
