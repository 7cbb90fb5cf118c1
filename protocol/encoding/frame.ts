/**
 * Request/response frames of the JSON libp2p protocols (the registry's roster-sync.ts and model-sync.ts,
 * the witnesses' witness-protocol.ts) are bounded, strict JSON objects: one parser for all.
 * Attacker-controlled: a frame that is too large, not JSON or not a plain object is `bad(message)`'s error.
 */
import type { GovfedError } from '../errors.ts';
import { fromUtf8 } from './bytes.ts';
import { parseStrictJson } from './strict-json.ts';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

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
