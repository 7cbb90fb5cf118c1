/**
 * The native primitives the node seals decisions with: SHA-256 on node:crypto (OpenSSL) and UTF-8 by
 * Buffer (pooled allocation) instead of protocol/'s portable @noble and TextEncoder — same bytes,
 * ~7x cheaper for a record-sized string (docs/benchmarks.md, issue 17). protocol/audit's sealDecision
 * takes them as options (`{ sha256, utf8 }`), like protocol/log's Frontier takes node/log's node hash;
 * test/node/decisions/primitives.test.ts checks them against the portable ones.
 */
import { hash } from 'node:crypto';

/** A plain Uint8Array over a Buffer's bytes (no copy; `.slice()` then copies, as protocol/ expects). */
function plain(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function nativeSha256(data: Uint8Array): Uint8Array {
  return plain(hash('sha256', data, 'buffer'));
}

export function nativeUtf8(s: string): Uint8Array {
  return plain(Buffer.from(s, 'utf8'));
}

/** What sealDecision takes. */
export const NATIVE_SEALING = { sha256: nativeSha256, utf8: nativeUtf8 } as const;
