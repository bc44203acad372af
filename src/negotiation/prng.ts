// Seeded randomness. Every draw is derived from (seed, salts) rather than from a
// PRNG carried across calls, so a move depends only on the setup and the history:
// replaying a prefix of the history reproduces exactly the same continuation.

/** mulberry32: a tiny, fast 32-bit PRNG; good enough for jitter, not for crypto. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a seed with salts (round number, party, stream id) into a new 32-bit seed. */
function mixSeed(seed: number, ...salts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const s of salts) {
    h = Math.imul(h ^ (s >>> 0), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** One uniform draw in [0, 1) for the given seed and salts. */
export function drawFor(seed: number, ...salts: number[]): number {
  return mulberry32(mixSeed(seed, ...salts))();
}
