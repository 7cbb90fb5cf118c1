/**
 * DSSE Pre-Authentication Encoding (protocol.md, "Signature Definition").
 *
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 *
 * SP is one ASCII space; LEN is the ASCII decimal byte length with no leading zeros; type is the
 * UTF-8 encoding of the payload type. Both lengths are explicit, so no (type, body) pair can be
 * re-read as another pair, and the payload type is covered by every signature.
 */
import { assertBytes, concatBytes, utf8 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';

const PREFIX = 'DSSEv1';
/** Matches an unpaired UTF-16 surrogate (paired ones form one code point under the u flag). */
export const LONE_SURROGATE = /\p{Surrogate}/u;

/** The bytes a DSSE signature covers. */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  if (typeof payloadType !== 'string' || LONE_SURROGATE.test(payloadType)) {
    // A lone surrogate has no UTF-8 form (TextEncoder would silently write U+FFFD instead).
    throw new GovfedError('ERR_INVALID_INPUT', 'payloadType: expected a well-formed Unicode string');
  }
  assertBytes(payload, undefined, 'payload');
  const type = utf8(payloadType);
  const head = utf8(`${PREFIX} ${type.length} `);
  const middle = utf8(` ${payload.length} `);
  return concatBytes(head, type, middle, payload);
}
