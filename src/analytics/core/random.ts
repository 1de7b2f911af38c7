/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna), seeded through splitmix32, and
 * standard normals by Marsaglia's polar method. Same seed, same sequence, on every platform.
 */

const TWO_POW_MINUS_32 = 2 ** -32;
const TWO_POW_MINUS_31 = 2 ** -31;

export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The second normal of the last polar pair, when it was not used yet. */
  private spareNormal = 0;
  private hasSpareNormal = false;

  /** Any finite number; its integer part's low and high 32 bits both feed the state. */
  constructor(seed: number) {
    const whole = Math.trunc(seed);
    let mix = (whole >>> 0) ^ Math.imul(Math.floor(whole / 2 ** 32) >>> 0, 0x9e3779b9);
    const next = (): number => {
      mix = (mix + 0x9e3779b9) | 0;
      let z = mix ^ (mix >>> 16);
      z = Math.imul(z, 0x21f0aaad);
      z ^= z >>> 15;
      z = Math.imul(z, 0x735a2d97);
      return (z ^ (z >>> 15)) | 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** Next output as a signed 32-bit integer. */
  nextInt32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotateLeft(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  nextFloat(): number {
    return (this.nextInt32() >>> 0) * TWO_POW_MINUS_32;
  }

  /**
   * Fills out[start, end) with independent standard normals. The generator step is inlined and
   * the state kept in locals: this is the hot loop of the Monte Carlo simulation.
   */
  fillStandardNormal(out: Float64Array, start = 0, end = out.length): void {
    let i = start;
    if (this.hasSpareNormal && i < end) {
      out[i++] = this.spareNormal;
      this.hasSpareNormal = false;
    }
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    while (i < end) {
      let u: number;
      let v: number;
      let radius: number;
      do {
        // Two xoshiro128** steps, each read as a signed 32-bit integer scaled into [−1, 1).
        let result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9);
        let t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotateLeft(s3, 11);
        u = result * TWO_POW_MINUS_31;
        result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9);
        t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotateLeft(s3, 11);
        v = result * TWO_POW_MINUS_31;
        radius = u * u + v * v;
      } while (radius >= 1 || radius === 0);
      const factor = Math.sqrt((-2 * Math.log(radius)) / radius);
      out[i++] = u * factor;
      if (i < end) out[i++] = v * factor;
      else {
        this.spareNormal = v * factor;
        this.hasSpareNormal = true;
      }
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }
}

function rotateLeft(x: number, bits: number): number {
  return (x << bits) | (x >>> (32 - bits));
}
