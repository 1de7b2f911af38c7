/**
 * Standard normal distribution: CDF (series and continued fraction, accurate in both tails) and
 * its inverse (Acklam's approximation refined by one Halley step).
 */

const SQRT_2PI = Math.sqrt(2 * Math.PI);
/** Below this |x| the series is used, above it the continued fraction. */
const SERIES_LIMIT = 3;

/**
 * Φ(x), the standard normal CDF, accurate in relative terms even deep in the lower tail (where
 * refining a quantile needs it): ~1e-14 near the centre, 2e-13 at x = −37 (the rounding of x²).
 * |x| < 3: Φ(−a) = 1/2 − φ(a) Σ a^(2n+1) / (2n+1)!!;  |x| ≥ 3: Φ(−a) = φ(a) R(a), with Mills'
 * ratio R(a) = 1/(a + 1/(a + 2/(a + 3/(a + …)))) evaluated by the modified Lentz method.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  if (a > 40) return x > 0 ? 1 : 0; // φ underflows to 0 (or x is infinite)
  const density = Math.exp(-0.5 * a * a) / SQRT_2PI;
  const lowerTail = a < SERIES_LIMIT ? 0.5 - density * oddSeries(a) : density * millsRatio(a); // Φ(−a)
  return x > 0 ? 1 - lowerTail : lowerTail;
}

/** Σ a^(2n+1) / (1·3·5···(2n+1)), so that Φ(a) = 1/2 + φ(a) × this. */
function oddSeries(a: number): number {
  const square = a * a;
  let term = a;
  let sum = a;
  for (let k = 3; term > 1e-17 * sum; k += 2) {
    term *= square / k;
    sum += term;
  }
  return sum;
}

/** Mills' ratio (1 − Φ(a)) / φ(a) for a ≥ SERIES_LIMIT, by its continued fraction. */
function millsRatio(a: number): number {
  const tiny = 1e-300;
  // R = 1 / (a + 1/(a + 2/(a + …))): partial numerators 1, 1, 2, 3, …, denominators a.
  let f = tiny;
  let c = f;
  let d = 0;
  for (let k = 0; k < 500; k++) {
    const numerator = k === 0 ? 1 : k;
    d = a + numerator * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = a + numerator / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

// Acklam's rational approximation coefficients (relative error < 1.15e-9 before refinement).
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/**
 * Φ⁻¹(p), the standard normal quantile, for 0 < p < 1 (−Infinity at 0, Infinity at 1, NaN outside).
 * Acklam's algorithm, then one Halley step against normalCdf, which brings it to ~1e-15.
 */
export function inverseNormalCdf(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  // Work in the lower half, where p itself (not 1 − p) carries the precision.
  if (p > 0.5) return -lowerQuantile(1 - p);
  return lowerQuantile(p);
}

function lowerQuantile(p: number): number {
  let x: number;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) /
      ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
      (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
  }
  // Halley refinement: e = Φ(x) − p, u = e / φ(x).
  const u = (normalCdf(x) - p) * SQRT_2PI * Math.exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}
