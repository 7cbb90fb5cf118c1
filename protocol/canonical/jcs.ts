/**
 * Canonical JSON per RFC 8785 (JSON Canonicalization Scheme), via `canonicalize` — the reference
 * JavaScript implementation by the RFC's co-author. Every signed JSON payload in govfed is the JCS
 * serialisation of its value, UTF-8 encoded.
 */
import canonicalizeLib from 'canonicalize';
import { fromUtf8, utf8 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';

/** JCS string of a JSON value. Rejects values JSON cannot represent (undefined, NaN, Infinity, BigInt, functions). */
export function canonicalize(value: unknown): string {
  assertJsonValue(value, '$', 0);
  const s = canonicalizeLib(value);
  if (s === undefined) throw new GovfedError('ERR_INVALID_INPUT', 'value has no JSON representation');
  return s;
}

/** UTF-8 bytes of the JCS form. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalize(value));
}

/**
 * Parses bytes that must already be canonical JSON (attacker-controlled): invalid UTF-8, invalid JSON
 * or a non-canonical serialisation are rejected, so a signed payload has exactly one byte form.
 */
export function parseCanonical(bytes: Uint8Array, maxBytes = 1 << 20): unknown {
  if (bytes.length > maxBytes) {
    throw new GovfedError('ERR_INVALID_LENGTH', `canonical JSON larger than ${maxBytes} bytes`);
  }
  const text = fromUtf8(bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new GovfedError('ERR_INVALID_ENCODING', 'invalid JSON', { cause });
  }
  if (canonicalize(value) !== text)
    throw new GovfedError('ERR_NOT_CANONICAL', 'JSON is not in RFC 8785 canonical form');
  return value;
}

const MAX_DEPTH = 64;

function assertJsonValue(v: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new GovfedError('ERR_INVALID_INPUT', `${path}: nesting deeper than ${MAX_DEPTH}`);
  if (v === null || typeof v === 'boolean') return;
  if (typeof v === 'string') {
    // RFC 8785 §3.2.2.2 works on Unicode strings; a lone surrogate has no UTF-8 form (RFC 8259 §8.1).
    if (!v.isWellFormed()) throw new GovfedError('ERR_INVALID_INPUT', `${path}: string has a lone surrogate`);
    return;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new GovfedError('ERR_INVALID_INPUT', `${path}: non-finite number`);
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) assertJsonValue(v[i], `${path}[${i}]`, depth + 1);
    return;
  }
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new GovfedError('ERR_INVALID_INPUT', `${path}: only plain objects are JSON`);
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (!k.isWellFormed()) throw new GovfedError('ERR_INVALID_INPUT', `${path}: key has a lone surrogate`);
      if (x === undefined) throw new GovfedError('ERR_INVALID_INPUT', `${path}.${k}: undefined is not JSON`);
      assertJsonValue(x, `${path}.${k}`, depth + 1);
    }
    return;
  }
  throw new GovfedError('ERR_INVALID_INPUT', `${path}: ${typeof v} is not JSON`);
}
