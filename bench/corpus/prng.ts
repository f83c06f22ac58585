/**
 * Deterministic pseudo-random numbers for the corpus generator: sfc32 seeded by a hash of (corpus
 * seed, message index, stream), so any message can be planned or built on its own, in any order,
 * and always comes out the same. Not for anything secret.
 */

/** Uniform in [0, 1). */
export type Random = () => number;

/** murmur3's finaliser: spreads every input bit over the 32-bit result. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of integers (each taken modulo 2^32). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) h = fmix32(h ^ fmix32(Math.imul(part >>> 0, 0x27d4eb2d) ^ (Math.floor(part / 2 ** 32) >>> 0)));
  return h;
}

/** A 32-bit hash of a string (its UTF-16 code units). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded from the given integers. */
export function randomFor(...parts: number[]): Random {
  let a = hash32(...parts, 1);
  let b = hash32(...parts, 2);
  let c = hash32(...parts, 3);
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs of a fresh sfc32 state are poorly mixed; skip them.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** An integer in [min, max]. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick: empty list');
  return item;
}

/** Standard normal by Box–Muller. */
export function normal(random: Random): number {
  const u1 = 1 - random(); // (0, 1]: log(0) would be -Infinity
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
