// Seeded choices: the scripted model's wording depends only on (seed, seq).

export function hashInts(...values: number[]): number {
  let h = 2166136261 >>> 0;
  for (const v of values) {
    h ^= v >>> 0;
    h = Math.imul(h, 16777619) >>> 0;
    h ^= h >>> 13;
  }
  return h >>> 0;
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}
