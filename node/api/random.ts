/**
 * A pooled CSPRNG for ingest: crypto.randomFillSync fills 64 KiB at a time and callers get fresh copies
 * of unused slices. Every byte is handed out once. Per-record nonces and ids thereby cost a copy rather
 * than a call into OpenSSL each (which was ~9% of ingest CPU time).
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 64 * 1024;

/** A `random(n)` function backed by a private pool. */
export function pooledRandom(poolBytes = POOL_BYTES): (n: number) => Uint8Array {
  const pool = new Uint8Array(poolBytes);
  let offset = poolBytes;
  return (n: number) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`random: bad length ${n}`);
    if (n > poolBytes) return randomFillSync(new Uint8Array(n));
    if (offset + n > poolBytes) {
      randomFillSync(pool);
      offset = 0;
    }
    const out = pool.slice(offset, offset + n);
    offset += n;
    return out;
  };
}
