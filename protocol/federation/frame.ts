/**
 * Strict frames for request/response protocols (/govfed/sync/1.0.0, /govfed/policy/1.0.0, …): a frame
 * body is the JCS (canonical JSON) bytes of one message, bounded, and in its one normal form — decoding
 * re-encodes the checked message and requires the same bytes, so every message has exactly one byte
 * form. Failures are ERR_MALFORMED_SYNC_MESSAGE, prefixed with the protocol's name.
 */
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import { equalBytes } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';

export interface FrameRules<T> {
  /** Prefix of error messages, e.g. `sync`. */
  name: string;
  /** Checks an untrusted value and returns the message in normal form (throws on anything else). */
  check: (value: unknown) => T;
  maxBytes: number;
}

function bad(name: string, message: string, cause?: unknown): GovfedError {
  return new GovfedError(
    'ERR_MALFORMED_SYNC_MESSAGE',
    `${name}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/** The frame body of `msg` (checked first). Throws above the bound. */
export function encodeFrame<T>(rules: FrameRules<T>, msg: T): Uint8Array {
  const bytes = canonicalBytes(rules.check(msg));
  if (bytes.length > rules.maxBytes) {
    throw bad(rules.name, `message is ${bytes.length} bytes, more than ${rules.maxBytes}`);
  }
  return bytes;
}

/** Decodes one frame body (attacker-controlled): bounded, canonical JSON, a known message, normal form. */
export function decodeFrame<T>(rules: FrameRules<T>, bytes: Uint8Array, maxBytes = rules.maxBytes): T {
  if (!(bytes instanceof Uint8Array) || bytes.length > maxBytes) {
    throw bad(rules.name, `frame larger than ${maxBytes} bytes`);
  }
  let value: unknown;
  try {
    value = parseCanonical(bytes, maxBytes);
  } catch (cause) {
    throw bad(rules.name, 'not canonical JSON', cause);
  }
  const msg = rules.check(value);
  if (!equalBytes(canonicalBytes(msg), bytes)) throw bad(rules.name, 'not in normal form');
  return msg;
}
