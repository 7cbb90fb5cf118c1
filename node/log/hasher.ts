/**
 * RFC 6962 leaf and node hashes on node:crypto (OpenSSL), for the ingest hot path.
 *
 * protocol/log/hash.ts pins the definitions (leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || l || r))
 * with a pure-JS SHA-256; these compute the same bytes about 1.5x faster. Tests assert equality with
 * protocol/log for random inputs. Only node/ may use them: protocol/ stays pure. The node passes
 * fastNodeHash to protocol/log's Frontier ({nodeHash}) wherever it builds one (appender, start, fsck).
 */
import { hash } from 'node:crypto';

const HASH_SIZE = 32;

/**
 * A plain Uint8Array over a Buffer's bytes (no copy), so that `.slice()` on it copies as callers such
 * as protocol/log's Frontier expect (Buffer#slice would return a view).
 */
function plain(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** SHA-256(0x00 || entry). */
export function fastLeafHash(entry: Uint8Array): Uint8Array {
  const buf = Buffer.allocUnsafe(entry.length + 1);
  buf[0] = 0x00;
  buf.set(entry, 1);
  return plain(hash('sha256', buf, 'buffer'));
}

// hash() is synchronous, so one scratch buffer serves every call.
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

/** SHA-256(0x01 || left || right); both 32 bytes (not re-checked: callers pass hashes they computed). */
export function fastNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return plain(hash('sha256', nodeInput, 'buffer'));
}
