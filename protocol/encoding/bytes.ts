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
// A plain character-class loop (no repeated group): V8's backtracking regex overflowed its stack on a
// grouped pattern for inputs of a few MiB. With the length a multiple of 4 this is the same language.
const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
/** The 6-bit value of each base64 character by char code (others are ruled out by B64_RE first). */
const B64_VALUE = (() => {
  const t = new Uint8Array(128);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Standard base64 with padding. */
export function toBase64(b: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const n = (b[i] as number) << 16;
    out += `${B64[(n >> 18) & 63]!}${B64[(n >> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8);
    out += `${B64[(n >> 18) & 63]!}${B64[(n >> 12) & 63]!}${B64[(n >> 6) & 63]!}=`;
  }
  return out;
}

/**
 * Strict standard base64 decode (attacker-controlled input): wrong alphabet, missing padding or
 * non-zero trailing bits are rejected with ERR_INVALID_ENCODING, so every byte string has exactly
 * one accepted encoding.
 */
export function fromBase64(s: string): Uint8Array {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !B64_RE.test(s)) {
    throw new GovfedError('ERR_INVALID_ENCODING', 'expected canonical standard base64');
  }
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const c0 = B64_VALUE[s.charCodeAt(i)] as number;
    const c1 = B64_VALUE[s.charCodeAt(i + 1)] as number;
    const c2 = s[i + 2] === '=' ? 0 : (B64_VALUE[s.charCodeAt(i + 2)] as number);
    const c3 = s[i + 3] === '=' ? 0 : (B64_VALUE[s.charCodeAt(i + 3)] as number);
    const n = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  // Canonical form: the bits dropped by the padding must be zero.
  const last = s.length - 1 - pad; // the last character that carries bits
  const dropped = pad === 0 || s.length === 0 ? 0 : (B64_VALUE[s.charCodeAt(last)] as number) & (pad === 1 ? 3 : 15);
  if (dropped !== 0) {
    throw new GovfedError('ERR_INVALID_ENCODING', 'non-canonical base64 (non-zero padding bits)');
  }
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
