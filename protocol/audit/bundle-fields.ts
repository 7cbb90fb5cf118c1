/**
 * Field readers for proof bundles (attacker-controlled JSON): the single-log bundle (bundle.ts) and the
 * cross-org bundle (protocol/witness/bundle.ts) read their fields with these, so both reject the same
 * way — bounded sizes, canonical standard base64, safe integers — with ERR_MALFORMED_BUNDLE naming the
 * field.
 */
import { fromBase64, fromUtf8 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { HASH_SIZE } from '../log/index.ts';

export function malformedBundle(message: string, cause?: unknown): GovfedError<string> {
  return new GovfedError('ERR_MALFORMED_BUNDLE', message, cause === undefined ? undefined : { cause });
}

/** Canonical standard base64 of at most `maxBytes` bytes. */
export function base64Field(value: unknown, what: string, maxBytes: number): Uint8Array {
  if (typeof value !== 'string' || value.length > Math.ceil(maxBytes / 3) * 4) {
    throw malformedBundle(`${what}: expected base64 of at most ${maxBytes} bytes`);
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(value);
  } catch (cause) {
    throw malformedBundle(`${what}: not canonical standard base64`, cause);
  }
  if (bytes.length > maxBytes) throw malformedBundle(`${what}: ${bytes.length} bytes, more than ${maxBytes}`);
  return bytes;
}

/** Base64 of exactly one SHA-256 hash. */
export function hashField(value: unknown, what: string): Uint8Array {
  const h = base64Field(value, what, HASH_SIZE);
  if (h.length !== HASH_SIZE) throw malformedBundle(`${what}: expected ${HASH_SIZE} bytes, got ${h.length}`);
  return h;
}

export function uintField(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw malformedBundle(`${what}: expected a non-negative integer`);
  }
  return value;
}

export function textField(value: unknown, what: string, maxChars: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxChars) {
    throw malformedBundle(`${what}: expected a string of 1..${maxChars} chars`);
  }
  return value;
}

export function arrayField(value: unknown, what: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    throw malformedBundle(`${what}: expected an array of ${min}..${max} items`);
  }
  return value;
}

/** JSON text or UTF-8 bytes of a bundle, parsed with a size bound. */
export function parseBundleJson(input: string | Uint8Array, maxBytes: number): unknown {
  if (input.length > maxBytes) throw malformedBundle(`bundle larger than ${maxBytes} bytes`);
  let text: string;
  try {
    text = typeof input === 'string' ? input : fromUtf8(input);
  } catch (cause) {
    throw malformedBundle('bundle is not UTF-8', cause);
  }
  if (text.length > maxBytes) throw malformedBundle(`bundle larger than ${maxBytes} bytes`);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw malformedBundle('bundle is not JSON', cause);
  }
}
