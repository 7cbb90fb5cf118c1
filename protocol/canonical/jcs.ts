/**
 * Canonical JSON per RFC 8785 (JSON Canonicalization Scheme). Every signed JSON payload in govfed is the
 * JCS serialisation of its value, UTF-8 encoded.
 *
 * One pass checks and serialises: strings as ECMAScript JSON.stringify writes them (RFC 8785 §3.2.2.2),
 * numbers as ECMAScript Number-to-String (§3.2.2.3, which JSON.stringify gives for finite numbers),
 * object members sorted by their UTF-16 code units (§3.2.3). The `canonicalize` package (the reference
 * implementation by the RFC's co-author) is the oracle of the property tests
 * (test/protocol/canonical/jcs.test.ts): same output for every JSON value. We serialise ourselves because
 * ingest canonicalises every decision record and leaf: the reference walks each value twice with our
 * JSON-ness check in front of it (docs/benchmarks.md, issue 17).
 */
import { fromUtf8, utf8 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';

/** Thrown by the fast pass; canonicalize then walks again to say where and why. */
const NOT_JSON = Symbol('not JSON');

/** JCS string of a JSON value. Rejects values JSON cannot represent (undefined, NaN, Infinity, BigInt, functions). */
export function canonicalize(value: unknown): string {
  try {
    return serialize(value, 0);
  } catch (err) {
    if (err !== NOT_JSON) throw err;
    assertJsonValue(value, '$', 0); // throws the precise error
    throw new GovfedError('ERR_INVALID_INPUT', 'value has no JSON representation');
  }
}

function serialize(v: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw NOT_JSON;
  switch (typeof v) {
    case 'string':
      if (!v.isWellFormed()) throw NOT_JSON;
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw NOT_JSON;
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out += ',';
          out += serialize(v[i], depth + 1);
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw NOT_JSON;
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const x = o[k];
        if (x === undefined || !k.isWellFormed()) throw NOT_JSON;
        if (i > 0) out += ',';
        out += `${JSON.stringify(k)}:${serialize(x, depth + 1)}`;
      }
      return `${out}}`;
    }
    default:
      throw NOT_JSON;
  }
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
