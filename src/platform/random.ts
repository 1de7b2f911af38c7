/**
 * Small, fast, seedable randomness: the simulated market data, and generated test and bench data. Not cryptographic.
 */

/** FNV-1a, 32-bit: a stable hash of a string. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Combines a hash with an integer (a day number) into a well-spread 32-bit seed (murmur3 finaliser). */
export function mixSeed(hash: number, value: number): number {
  let h = (hash ^ Math.imul(value | 0, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export type UniformRandom = () => number;

/** Mulberry32: uniform in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): UniformRandom {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Standard normal draw (Box-Muller), consuming two uniforms. */
export function standardNormal(random: UniformRandom): number {
  const u1 = 1 - random(); // (0, 1]: log(0) is avoided
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
