/**
 * Byte helpers used across protocol/. Inputs are checked at the edge with precise messages.
 * Base64 is standard (RFC 4648 §4, with padding) and strict: non-canonical encodings are rejected.
 */
import { GovfedError } from '../errors.ts';

const te = new TextEncoder();
const td = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 encode. */
export function utf8(s: string): Uint8Array {
  return te.encode(s);
}

/** Strict UTF-8 decode: invalid sequences throw ERR_INVALID_ENCODING. */
export function fromUtf8(b: Uint8Array): string {
  try {
    return td.decode(b);
  } catch (cause) {
    throw new GovfedError('ERR_INVALID_ENCODING', 'invalid UTF-8', { cause });
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The character code of each 6-bit value. */
const B64_CODE = Uint8Array.from(B64, (c) => c.charCodeAt(0));
const PAD = 61; // '='
/** Not a base64 character: any value with a bit above the six a character carries. */
const INVALID = 0xff;
/** The 6-bit value of each base64 character by byte; INVALID for every other byte. */
const B64_VALUE = (() => {
  const t = new Uint8Array(256).fill(INVALID);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();
/** ASCII bytes to a string (latin1 is one of the encodings every TextDecoder supports). */
const ascii = new TextDecoder('latin1');

/** Standard base64 with padding. */
export function toBase64(b: Uint8Array): string {
  const codes = new Uint8Array(Math.ceil(b.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);
    codes[o] = B64_CODE[n >> 18] as number;
    codes[o + 1] = B64_CODE[(n >> 12) & 63] as number;
    codes[o + 2] = B64_CODE[(n >> 6) & 63] as number;
    codes[o + 3] = B64_CODE[n & 63] as number;
    o += 4;
  }
  const rest = b.length - i;
  if (rest > 0) {
    const n = ((b[i] as number) << 16) | (rest === 2 ? (b[i + 1] as number) << 8 : 0);
    codes[o] = B64_CODE[n >> 18] as number;
    codes[o + 1] = B64_CODE[(n >> 12) & 63] as number;
    codes[o + 2] = rest === 2 ? (B64_CODE[(n >> 6) & 63] as number) : PAD;
    codes[o + 3] = PAD;
  }
  return ascii.decode(codes);
}

function notBase64(): never {
  throw new GovfedError('ERR_INVALID_ENCODING', 'expected canonical standard base64');
}

/**
 * Strict standard base64 decode (attacker-controlled input): wrong alphabet, missing padding or
 * non-zero trailing bits are rejected with ERR_INVALID_ENCODING, so every byte string has exactly
 * one accepted encoding. One pass, no regular expression: every character's value is looked up, and
 * one that is not among the 64 (an '=' before the padding included) fails the whole string.
 */
export function fromBase64(s: string): Uint8Array {
  if (typeof s !== 'string' || s.length % 4 !== 0) notBase64();
  const len = s.length;
  if (len === 0) return new Uint8Array(0);
  // Base64 is ASCII: in UTF-8 each of its characters is one byte, and any other character is longer.
  const codes = te.encode(s);
  if (codes.length !== len) notBase64();
  const pad = codes[len - 1] !== PAD ? 0 : codes[len - 2] !== PAD ? 1 : 2;
  const out = new Uint8Array((len / 4) * 3 - pad);
  const whole = pad === 0 ? len : len - 4; // the groups of four data characters
  let seen = 0; // the OR of every value: INVALID's high bits stay set once one is seen
  let o = 0;
  for (let i = 0; i < whole; i += 4) {
    const a = B64_VALUE[codes[i] as number] as number;
    const b = B64_VALUE[codes[i + 1] as number] as number;
    const c = B64_VALUE[codes[i + 2] as number] as number;
    const d = B64_VALUE[codes[i + 3] as number] as number;
    seen |= a | b | c | d;
    out[o] = (a << 2) | (b >> 4);
    out[o + 1] = ((b & 15) << 4) | (c >> 2);
    out[o + 2] = ((c & 3) << 6) | d;
    o += 3;
  }
  let dropped = 0; // the bits the padding drops: zero in the canonical form
  if (pad > 0) {
    const a = B64_VALUE[codes[whole] as number] as number;
    const b = B64_VALUE[codes[whole + 1] as number] as number;
    const c = pad === 1 ? (B64_VALUE[codes[whole + 2] as number] as number) : 0;
    seen |= a | b | c;
    out[o] = (a << 2) | (b >> 4);
    if (pad === 1) out[o + 1] = ((b & 15) << 4) | (c >> 2);
    dropped = pad === 1 ? c & 3 : b & 15;
  }
  if ((seen & ~63) !== 0) notBase64();
  if (dropped !== 0) throw new GovfedError('ERR_INVALID_ENCODING', 'non-canonical base64 (non-zero padding bits)');
  return out;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX_BYTE[b[i] as number];
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) {
    throw new GovfedError('ERR_INVALID_ENCODING', 'expected lowercase hex of even length');
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Throws ERR_INVALID_LENGTH unless `b` is a Uint8Array of exactly `len` bytes. */
export function assertBytes(b: unknown, len: number | undefined, what: string): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array)) {
    throw new GovfedError('ERR_INVALID_INPUT', `${what}: expected Uint8Array`);
  }
  if (len !== undefined && b.length !== len) {
    throw new GovfedError(
      'ERR_INVALID_LENGTH',
      `${what}: expected Uint8Array of length ${len}, got length=${b.length}`,
    );
  }
}
