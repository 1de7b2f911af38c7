/**
 * The analytics reports as tasks: the loaded data in, the report out. The service runs small
 * ones inline and sends those over its size threshold to the worker threads, which load this
 * module (./service.ts, platform/cpu-pool.ts): the same functions either way, so the figures are
 * the same wherever they are computed. Over the threshold the closes are parsed here too
 * (`priceTable`), leaving the event loop only the FX rates and the ledger's numbers to gather. Only the pure core and ./reports.ts are imported here:
 * a thread loads no domain, database client or GraphQL schema.
 */
import { buildPriceTable, type DateRange, type PriceTable } from './core/index.js';
import { pricesFromRows, type ClosesRow } from './close-rows.js';
import type { CheckedSimulation } from './inputs.js';
import {
  factorExposureReport,
  performanceReport,
  riskReport,
  simulationReport,
  type Dataset,
  type FactorExposureReport,
  type PerformanceReport,
  type RiskOptions,
  type RiskReport,
  type SimulationReport,
} from './reports.js';

/** What a report is computed from (structured-cloned into a thread: Maps and typed arrays survive it). */
export interface ReportTask<Options> {
  requested: DateRange;
  dataset: Dataset;
  options: Options;
}

/** The price table of the closes as read (the first step of a report over the threshold). */
export function priceTable(rows: readonly ClosesRow[]): PriceTable {
  return buildPriceTable(pricesFromRows(rows));
}

export function performance({ requested, dataset }: ReportTask<null>): PerformanceReport {
  return performanceReport(requested, dataset);
}

export function risk({ requested, dataset, options }: ReportTask<RiskOptions>): RiskReport {
  return riskReport(requested, dataset, options);
}

export function simulation({ requested, dataset, options }: ReportTask<CheckedSimulation>): SimulationReport {
  return simulationReport(requested, dataset, options);
}

export function factorExposure({ requested, dataset, options }: ReportTask<readonly string[]>): FactorExposureReport {
  return factorExposureReport(requested, dataset, options);
}
