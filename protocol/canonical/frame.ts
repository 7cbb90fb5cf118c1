/**
 * Request/response frames that are canonical JSON (RFC 8785) objects — the freshness exchange
 * (federation/freshness.ts) and the monitoring windows' sync (monitoring/sync.ts): one parser for both.
 * Attacker-controlled: a frame over `max` bytes or not JSON is `malformed(message, cause)`'s error; one
 * that is JSON but not canonical keeps ERR_NOT_CANONICAL; anything but a plain object is malformed too.
 */
import { isPlainObject } from '../audit/fields.ts';
import { type GovfedError, isGovfedError } from '../errors.ts';
import { parseCanonical } from './jcs.ts';

export function parseCanonicalFrame(
  bytes: Uint8Array,
  max: number,
  malformed: (message: string, cause?: unknown) => GovfedError,
): Record<string, unknown> {
  let v: unknown;
  try {
    v = parseCanonical(bytes, max);
  } catch (cause) {
    if (isGovfedError(cause, 'ERR_NOT_CANONICAL')) throw cause;
    throw malformed('frame is not bounded canonical JSON', cause);
  }
  if (!isPlainObject(v)) throw malformed('frame must be an object');
  return v;
}
