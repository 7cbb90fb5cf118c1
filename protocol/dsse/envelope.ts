/**
 * The DSSE JSON envelope (envelope.md): a payload, its type, and one or more signatures over
 * PAE(payloadType, payload).
 *
 *   {"payloadType":"<type>","payload":"<base64>","signatures":[{"keyid":"<hint>","sig":"<base64>"}]}
 *
 * Envelopes arrive from peers and HTTP clients, so parsing is strict and bounded:
 *   - at most `maxBytes` (default 1 MiB) of JSON, at most `maxSignatures` (default 32) signatures;
 *   - no field beyond the three above (and `keyid`, `sig` per signature);
 *   - `payloadType` a non-empty, well-formed string;
 *   - base64 canonical (padded, zero trailing bits). protocol.md says verifiers MUST accept both the
 *     standard and the URL-safe alphabet, so both are read (one alphabet per field); the parsed
 *     envelope always holds standard base64, so parse → serialize yields one byte form;
 *   - every `sig` decodes to a 64-byte Ed25519 signature (govfed's only algorithm);
 *   - `keyid` at most 256 characters; an empty keyid (what some producers write for "none") is the
 *     same as no keyid and is dropped.
 * Every rejection is ERR_MALFORMED_ENVELOPE.
 */
import { fromBase64, fromUtf8, toBase64, utf8 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { LONE_SURROGATE } from './pae.ts';

export interface EnvelopeSignature {
  /** Unauthenticated hint naming the key that made `sig`. */
  keyid?: string;
  /** Standard base64 of the 64-byte Ed25519 signature over PAE(payloadType, payload). */
  sig: string;
}

export interface Envelope {
  payloadType: string;
  /** Standard base64 of the serialized body. */
  payload: string;
  signatures: EnvelopeSignature[];
}

export interface EnvelopeLimits {
  /** Largest accepted envelope, in bytes of JSON (default 1 MiB). */
  maxBytes?: number;
  /** Most signatures accepted (default 32). */
  maxSignatures?: number;
}

/** An envelope with its base64 fields decoded, as verification consumes it. */
export interface DecodedEnvelope {
  payloadType: string;
  payload: Uint8Array;
  signatures: { keyid?: string; sig: Uint8Array }[];
}

export const DEFAULT_MAX_ENVELOPE_BYTES = 1 << 20;
export const DEFAULT_MAX_SIGNATURES = 32;
export const MAX_KEYID_LENGTH = 256;
const SIGNATURE_BYTES = 64;

const ENVELOPE_FIELDS = new Set(['payloadType', 'payload', 'signatures']);
const SIGNATURE_FIELDS = new Set(['keyid', 'sig']);
const UNBOUNDED: Required<EnvelopeLimits> = {
  maxBytes: Number.POSITIVE_INFINITY,
  maxSignatures: Number.POSITIVE_INFINITY,
};

/**
 * Parses and validates an envelope from JSON text, UTF-8 bytes or an already-parsed value
 * (attacker-controlled in every form). Returns a normalised copy holding standard base64.
 */
export function parseEnvelope(input: unknown, limits?: EnvelopeLimits): Envelope {
  const bounds = resolveLimits(limits);
  const raw = input instanceof Uint8Array || typeof input === 'string' ? readJson(input, bounds.maxBytes) : input;
  const env = encodeEnvelope(decodeValue(raw, bounds));
  if (!(input instanceof Uint8Array || typeof input === 'string')) {
    // A parsed value was not measured on the way in; measure its serialisation instead.
    const size = utf8(serialize(env)).length;
    if (size > bounds.maxBytes) malformed(`envelope is ${size} bytes, more than ${bounds.maxBytes}`);
  }
  return env;
}

/**
 * Checks an envelope's shape (the same rules as parseEnvelope) and decodes its base64 fields. Sizes
 * are only bounded when `limits` is given: bound untrusted input with parseEnvelope first.
 */
export function decodeEnvelope(env: Envelope, limits: EnvelopeLimits = UNBOUNDED): DecodedEnvelope {
  return decodeValue(env, resolveLimits(limits));
}

/** The envelope as JSON, fields in a fixed order (payloadType, payload, signatures; keyid, sig). */
export function serializeEnvelope(e: Envelope): string {
  return serialize(encodeEnvelope(decodeEnvelope(e)));
}

function serialize(env: Envelope): string {
  return JSON.stringify({
    payloadType: env.payloadType,
    payload: env.payload,
    signatures: env.signatures.map((s) => (s.keyid === undefined ? { sig: s.sig } : { keyid: s.keyid, sig: s.sig })),
  });
}

function encodeEnvelope(d: DecodedEnvelope): Envelope {
  return {
    payloadType: d.payloadType,
    payload: toBase64(d.payload),
    signatures: d.signatures.map((s) =>
      s.keyid === undefined ? { sig: toBase64(s.sig) } : { keyid: s.keyid, sig: toBase64(s.sig) },
    ),
  };
}

function resolveLimits(limits: EnvelopeLimits | undefined): Required<EnvelopeLimits> {
  const maxBytes = limits?.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  const maxSignatures = limits?.maxSignatures ?? DEFAULT_MAX_SIGNATURES;
  for (const [name, v] of [
    ['maxBytes', maxBytes],
    ['maxSignatures', maxSignatures],
  ] as const) {
    if (!(v === Number.POSITIVE_INFINITY || (Number.isSafeInteger(v) && v >= 1))) {
      throw new GovfedError('ERR_INVALID_INPUT', `${name}: expected a positive integer, got ${v}`);
    }
  }
  return { maxBytes, maxSignatures };
}

/** Size check before any parsing, then strict UTF-8 and JSON (attacker-controlled). */
function readJson(input: string | Uint8Array, maxBytes: number): unknown {
  let text: string;
  if (typeof input === 'string') {
    // UTF-8 never takes fewer bytes than UTF-16 code units, so a long string is rejected unencoded.
    if (input.length > maxBytes || utf8(input).length > maxBytes) {
      malformed(`envelope larger than ${maxBytes} bytes`);
    }
    text = input;
  } else {
    if (input.length > maxBytes) malformed(`envelope is ${input.length} bytes, more than ${maxBytes}`);
    try {
      text = fromUtf8(input);
    } catch (cause) {
      malformed('envelope is not valid UTF-8', cause);
    }
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    malformed('envelope is not valid JSON', cause);
  }
}

function decodeValue(raw: unknown, limits: Required<EnvelopeLimits>): DecodedEnvelope {
  const obj = checkObject(raw, 'envelope', ENVELOPE_FIELDS);
  return {
    payloadType: checkPayloadType(obj.payloadType),
    payload: checkPayload(obj.payload, limits.maxBytes),
    signatures: checkSignatures(obj.signatures, limits.maxSignatures),
  };
}

function checkObject(v: unknown, what: string, allowed: ReadonlySet<string>): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) malformed(`${what}: expected a JSON object`);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) malformed(`${what}: expected a plain object`);
  for (const key of Object.keys(v)) {
    if (!allowed.has(key)) malformed(`${what}: unknown field ${JSON.stringify(key)}`);
  }
  return v as Record<string, unknown>;
}

function checkPayloadType(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) malformed('payloadType: expected a non-empty string');
  if (LONE_SURROGATE.test(v)) malformed('payloadType: not well-formed Unicode');
  return v;
}

function checkPayload(v: unknown, maxBytes: number): Uint8Array {
  if (typeof v !== 'string') malformed('payload: expected a base64 string');
  if (v.length > Math.ceil(maxBytes / 3) * 4) malformed(`payload: longer than ${maxBytes} bytes`);
  return decodeBase64(v, 'payload');
}

function checkSignatures(v: unknown, maxSignatures: number): DecodedEnvelope['signatures'] {
  if (!Array.isArray(v)) malformed('signatures: expected an array');
  if (v.length === 0) malformed('signatures: expected at least one signature');
  if (v.length > maxSignatures) malformed(`signatures: ${v.length} signatures, at most ${maxSignatures} allowed`);
  return v.map((item, i) => {
    const s = checkObject(item, `signatures[${i}]`, SIGNATURE_FIELDS);
    if (typeof s.sig !== 'string') malformed(`signatures[${i}].sig: expected a base64 string`);
    const sig = decodeBase64(s.sig, `signatures[${i}].sig`);
    if (sig.length !== SIGNATURE_BYTES) {
      malformed(`signatures[${i}].sig: expected ${SIGNATURE_BYTES} bytes, got ${sig.length}`);
    }
    if (s.keyid === undefined || s.keyid === '') return { sig };
    if (typeof s.keyid !== 'string') malformed(`signatures[${i}].keyid: expected a string`);
    if (s.keyid.length > MAX_KEYID_LENGTH) {
      malformed(`signatures[${i}].keyid: longer than ${MAX_KEYID_LENGTH} characters`);
    }
    return { keyid: s.keyid, sig };
  });
}

/** Canonical standard or URL-safe base64 (protocol.md: verifiers MUST accept either); no mixing. */
function decodeBase64(s: string, what: string): Uint8Array {
  let std = s;
  if (/[-_]/.test(s)) {
    if (/[+/]/.test(s)) malformed(`${what}: mixes standard and URL-safe base64`);
    std = s.replaceAll('-', '+').replaceAll('_', '/');
  }
  try {
    return fromBase64(std);
  } catch (cause) {
    malformed(`${what}: not canonical base64`, cause);
  }
}

function malformed(message: string, cause?: unknown): never {
  throw new GovfedError('ERR_MALFORMED_ENVELOPE', message, cause === undefined ? undefined : { cause });
}
