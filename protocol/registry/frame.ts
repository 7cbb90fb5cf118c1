/**
 * The registry's anti-entropy frames (roster-sync.ts, model-sync.ts) are bounded, strict JSON objects:
 * one parser for both. Attacker-controlled: a frame that is too large, not JSON or not an object is
 * `bad(message)`'s error.
 */
import { isPlainObject } from '../audit/fields.ts';
import { fromUtf8 } from '../encoding/bytes.ts';
import { parseStrictJson } from '../encoding/strict-json.ts';
import type { GovfedError } from '../errors.ts';

export function parseFrame(
  bytes: Uint8Array,
  maxBytes: number,
  bad: (message: string) => GovfedError,
): Record<string, unknown> {
  if (bytes.length > maxBytes) throw bad('frame too large');
  let v: unknown;
  try {
    v = parseStrictJson(fromUtf8(bytes));
  } catch {
    throw bad('not JSON');
  }
  if (!isPlainObject(v)) throw bad('expected an object');
  return v;
}
