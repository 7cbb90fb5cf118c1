/**
 * Bit arithmetic on tree sizes and leaf indexes.
 *
 * Sizes and indexes are JS numbers (safe integers, up to 2^53 - 1), but JS bitwise operators work on
 * 32 bits. These helpers split a number into its high and low 32-bit halves so that the tree math is
 * exact over the whole safe range. Callers validate their inputs first (see size.ts); these functions
 * assume non-negative safe integers.
 */

const TWO_32 = 2 ** 32;

/** Number of bits needed to write n (0 for 0): the position of the highest set bit, plus one. */
export function bitLength(n: number): number {
  if (n < TWO_32) return 32 - Math.clz32(n);
  return 64 - Math.clz32(Math.floor(n / TWO_32));
}

/** floor(log2(n)) for n >= 1: the level of the largest power of two that is <= n. */
export function floorLog2(n: number): number {
  return bitLength(n) - 1;
}

/** Number of trailing zero bits of n, for n >= 1. */
export function trailingZeros(n: number): number {
  const lo = n >>> 0;
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  const hi = Math.floor(n / TWO_32) >>> 0;
  return 63 - Math.clz32(hi & -hi);
}

/** Number of set bits of n. */
export function popCount(n: number): number {
  return popCount32(n >>> 0) + popCount32(Math.floor(n / TWO_32) >>> 0);
}

function popCount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** a XOR b. */
export function xor(a: number, b: number): number {
  const hi = (Math.floor(a / TWO_32) ^ Math.floor(b / TWO_32)) >>> 0;
  const lo = ((a >>> 0) ^ (b >>> 0)) >>> 0;
  return hi * TWO_32 + lo;
}

/** n >> k, i.e. floor(n / 2^k). */
export function shiftRight(n: number, k: number): number {
  return Math.floor(n / 2 ** k);
}

/** Bit i of n (0 or 1). */
export function bitAt(n: number, i: number): number {
  return Math.floor(n / 2 ** i) % 2;
}
