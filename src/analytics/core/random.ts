/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna) seeded through splitmix32, and
 * standard normals by the ziggurat method (Marsaglia & Tsang 2000, 128 layers). Same seed, same
 * sequence, on every platform.
 */

const TWO_POW_MINUS_32 = 2 ** -32;

// Ziggurat tables. Each draw's low 7 bits pick the layer and its other 25 bits (a signed
// integer j, |j| < 2^24) the point in it, so layer and value never share bits (Doornik 2005).
const LAYERS = 128;
const TAIL_START = 3.442619855899; // r: where the base layer's tail begins
const LAYER_AREA = 9.91256303526217e-3; // v: area of every layer
const VALUE_SCALE = 2 ** 24;
const acceptBelow = new Float64Array(LAYERS); // |j| < acceptBelow[i]: inside layer i's rectangle
const valueStep = new Float64Array(LAYERS); // x = j × valueStep[i]
const density = new Float64Array(LAYERS); // exp(−x_i² / 2) at the layer's edge
{
  let edge = TAIL_START;
  let outerEdge = edge;
  const base = LAYER_AREA / Math.exp(-0.5 * edge * edge);
  acceptBelow[0] = (edge / base) * VALUE_SCALE;
  acceptBelow[1] = 0;
  valueStep[0] = base / VALUE_SCALE;
  valueStep[LAYERS - 1] = edge / VALUE_SCALE;
  density[0] = 1;
  density[LAYERS - 1] = Math.exp(-0.5 * edge * edge);
  for (let i = LAYERS - 2; i >= 1; i--) {
    edge = Math.sqrt(-2 * Math.log(LAYER_AREA / edge + Math.exp(-0.5 * edge * edge)));
    acceptBelow[i + 1] = (edge / outerEdge) * VALUE_SCALE;
    outerEdge = edge;
    density[i] = Math.exp(-0.5 * edge * edge);
    valueStep[i] = edge / VALUE_SCALE;
  }
}

export class SeededRandom {
  /** xoshiro128** state, four 32-bit words. */
  private readonly state = new Int32Array(4);

  /** Any finite number; its integer part's low and high 32 bits both feed the state. */
  constructor(seed: number) {
    const whole = Math.trunc(seed);
    let mix = (whole >>> 0) ^ Math.imul(Math.floor(whole / 2 ** 32) >>> 0, 0x9e3779b9);
    for (let i = 0; i < 4; i++) {
      // splitmix32
      mix = (mix + 0x9e3779b9) | 0;
      let z = mix ^ (mix >>> 16);
      z = Math.imul(z, 0x21f0aaad);
      z ^= z >>> 15;
      z = Math.imul(z, 0x735a2d97);
      this.state[i] = z ^ (z >>> 15);
    }
    if ((this.state[0]! | this.state[1]! | this.state[2]! | this.state[3]!) === 0) this.state[0] = 1; // all-zero is a fixed point
  }

  /** Next output as a signed 32-bit integer. */
  nextInt32(): number {
    const s = this.state;
    const s1 = s[1] as number;
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9);
    const shifted = s1 << 9;
    s[2]! ^= s[0] as number;
    s[3]! ^= s1;
    s[1]! ^= s[2] as number;
    s[0]! ^= s[3] as number;
    s[2]! ^= shifted;
    s[3] = rotateLeft(s[3] as number, 11);
    return result;
  }

  /** Uniform in the open interval (0, 1), 32 bits of resolution. */
  nextFloat(): number {
    return ((this.nextInt32() >>> 0) + 0.5) * TWO_POW_MINUS_32;
  }

  /** One standard normal. */
  nextNormal(): number {
    const draw = this.nextInt32();
    const layer = draw & (LAYERS - 1);
    const j = draw >> 7;
    // ~99 % of draws land inside their layer's rectangle and cost one multiplication.
    return Math.abs(j) < (acceptBelow[layer] as number) ? j * (valueStep[layer] as number) : this.normalOutsideRectangle(draw);
  }

  /** Fills out[start, end) with independent standard normals. */
  fillStandardNormal(out: Float64Array, start = 0, end = out.length): void {
    for (let i = start; i < end; i++) out[i] = this.nextNormal();
  }

  /** The ziggurat's slow path: a wedge between rectangle and curve, or the tail beyond TAIL_START. */
  private normalOutsideRectangle(firstDraw: number): number {
    let draw = firstDraw;
    for (;;) {
      const layer = draw & (LAYERS - 1);
      const j = draw >> 7;
      if (Math.abs(j) < (acceptBelow[layer] as number)) return j * (valueStep[layer] as number);
      const x = j * (valueStep[layer] as number);
      if (layer === 0) {
        // Tail: Marsaglia's exponential rejection for x > r.
        let tail: number;
        let exponential: number;
        do {
          tail = -Math.log(this.nextFloat()) / TAIL_START;
          exponential = -Math.log(this.nextFloat());
        } while (exponential + exponential < tail * tail);
        return j > 0 ? TAIL_START + tail : -TAIL_START - tail;
      }
      const below = density[layer] as number;
      if (below + this.nextFloat() * ((density[layer - 1] as number) - below) < Math.exp(-0.5 * x * x)) return x;
      draw = this.nextInt32();
    }
  }
}

function rotateLeft(x: number, bits: number): number {
  return (x << bits) | (x >>> (32 - bits));
}
