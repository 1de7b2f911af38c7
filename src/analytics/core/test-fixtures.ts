/** Data shared by the analytics core's tests (not part of the public API). */

/** The formula series of bench/analytics_reference.py (formula_series), t = 0 … length − 1. */
export function formulaSeries(length: number): { f1: Float64Array; f2: Float64Array; f3: Float64Array; y: Float64Array } {
  const f1 = new Float64Array(length);
  const f2 = new Float64Array(length);
  const f3 = new Float64Array(length);
  const y = new Float64Array(length);
  for (let t = 0; t < length; t++) {
    f1[t] = 0.01 * Math.sin(1.3 * t) + 0.002 * Math.cos(0.37 * t);
    f2[t] = 0.008 * Math.cos(0.7 * t + 1.0);
    f3[t] = 0.5 * (f1[t] as number) + 0.006 * Math.sin(2.1 * t + 0.4);
    y[t] = 0.0002 + 1.2 * (f1[t] as number) - 0.5 * (f2[t] as number) + 0.003 * Math.sin(2.9 * t + 0.5);
  }
  return { f1, f2, f3, y };
}
