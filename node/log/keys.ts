/**
 * The LevelDB key layout of the audit log. Numbers are 16 lowercase hex digits (fixed width), so the
 * byte order of keys is the numeric order and ranges (`l/` from index A to B) are plain key ranges.
 *
 *     l/<index>        leaf bytes (exactly what the log commits to)
 *     r/<index>        raw record bytes (auditor-only; absent for governance leaves)
 *     h/<stored index> 32-byte stored hash (Go tlog layout, see protocol/log)
 *     c/<size>         signed checkpoint note for that tree size (UTF-8)
 *     x/<leaf hash>    lookup index: 64 lowercase hex of the RFC 6962 leaf hash → index, 8 bytes big-endian
 *     d/<decision id>  lookup index: a decision leaf's decisionId (UTF-8) → index, 8 bytes big-endian
 *     g/<kind>         lookup index: the latest governance leaf of that kind (e.g. federation.charter)
 *     s/…/<time>/<index>  decision search index (decision-keys.ts) → index, 8 bytes big-endian
 *     m/size           committed tree size, 8 bytes big-endian
 *     m/lookup         present once the lookup index covers every entry (LOOKUP_VERSION, UTF-8)
 *     q/<index>        PostgreSQL, several processes (sequencer.ts): an entry sequenced at that index and
 *                      not yet integrated (queued.ts encoding); deleted by the batch that integrates it
 * The x/, d/, g/ and s/ keys of an entry are written in the same batch as its l/ key (lookup.ts).
 */
import { GovfedError } from '../../protocol/errors.ts';

export const LEAF_PREFIX = 'l/';
export const RECORD_PREFIX = 'r/';
export const HASH_PREFIX = 'h/';
export const CHECKPOINT_PREFIX = 'c/';
export const SIZE_KEY = 'm/size';
export const LEAF_HASH_INDEX_PREFIX = 'x/';
export const DECISION_INDEX_PREFIX = 'd/';
export const GOVERNANCE_INDEX_PREFIX = 'g/';
export const LOOKUP_KEY = 'm/lookup';
export const QUEUE_PREFIX = 'q/';

const HEX_WIDTH = 16;

/** 16 lowercase hex digits of a non-negative safe integer. */
export function hex16(n: number): string {
  return n.toString(16).padStart(HEX_WIDTH, '0');
}

export function leafKey(index: number): string {
  return LEAF_PREFIX + hex16(index);
}

export function recordKey(index: number): string {
  return RECORD_PREFIX + hex16(index);
}

export function hashKey(storedIndex: number): string {
  return HASH_PREFIX + hex16(storedIndex);
}

export function queueKey(index: number): string {
  return QUEUE_PREFIX + hex16(index);
}

export function checkpointKey(size: number): string {
  return CHECKPOINT_PREFIX + hex16(size);
}

/** The number in a key written by one of the functions above. Throws ERR_LOG_CORRUPT for anything else. */
export function keyNumber(key: string, prefix: string): number {
  const h = key.slice(prefix.length);
  if (!key.startsWith(prefix) || h.length !== HEX_WIDTH || !/^[0-9a-f]+$/.test(h)) {
    throw new GovfedError('ERR_LOG_CORRUPT', `unexpected key ${JSON.stringify(key)}`);
  }
  const n = Number.parseInt(h, 16);
  if (!Number.isSafeInteger(n)) throw new GovfedError('ERR_LOG_CORRUPT', `key number too large in ${key}`);
  return n;
}

/** The 8-byte big-endian value of `m/size`. */
export function encodeSize(size: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(size));
  return out;
}

export function decodeSize(bytes: Uint8Array): number {
  if (bytes.length !== 8) throw new GovfedError('ERR_LOG_CORRUPT', `m/size: expected 8 bytes, got ${bytes.length}`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new GovfedError('ERR_LOG_CORRUPT', 'm/size exceeds 2^53 - 1');
  return Number(n);
}
