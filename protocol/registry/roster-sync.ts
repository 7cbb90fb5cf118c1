/**
 * Roster anti-entropy frames on `/govfed/roster/1.0.0` (codec only; node/registry/rosters.ts runs it):
 *
 *   request   {"type":"roster-hello","have":{"<org>":<version>, …}}   the versions the asker holds
 *   response  {"type":"rosters","envelopes":[<roster envelope>, …]}   the answerer's newer ones
 *
 * Both are bounded JSON (attacker-controlled both ways); every envelope in a response is verified by the
 * asker like a gossiped one.
 */
import { isPlainObject } from '../audit/fields.ts';
import { type Envelope, parseEnvelope } from '../dsse/index.ts';
import { utf8 } from '../encoding/bytes.ts';
import { parseFrame } from '../encoding/frame.ts';
import { GovfedError } from '../errors.ts';
import { MAX_ROSTER_BYTES } from './roster.ts';

export const ROSTER_PROTOCOL = '/govfed/roster/1.0.0';
/** Most rosters in one answer, and the largest frame. */
export const MAX_SYNC_ROSTERS = 16;
export const MAX_ROSTER_FRAME = 4 * MAX_ROSTER_BYTES;
const ORG_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_ORGS = 256;

function bad(message: string): GovfedError {
  return new GovfedError('ERR_INVALID_INPUT', `roster sync: ${message}`);
}

function parse(bytes: Uint8Array): Record<string, unknown> {
  return parseFrame(bytes, MAX_ROSTER_FRAME, bad);
}

export function encodeRosterHello(have: Readonly<Record<string, number>>): Uint8Array {
  return utf8(JSON.stringify({ type: 'roster-hello', have }));
}

export function decodeRosterHello(bytes: Uint8Array): Record<string, number> {
  const v = parse(bytes);
  if (v.type !== 'roster-hello' || !isPlainObject(v.have) || Object.keys(v).length !== 2)
    throw bad('expected {type: "roster-hello", have}');
  const have: Record<string, number> = {};
  const entries = Object.entries(v.have);
  if (entries.length > MAX_ORGS) throw bad(`at most ${MAX_ORGS} orgs`);
  for (const [org, version] of entries) {
    if (!ORG_RE.test(org) || typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
      throw bad('have: expected {org: version}');
    }
    have[org] = version;
  }
  return have;
}

export function encodeRosters(envelopes: readonly Envelope[]): Uint8Array {
  return utf8(JSON.stringify({ type: 'rosters', envelopes }));
}

export function decodeRosters(bytes: Uint8Array): Envelope[] {
  const v = parse(bytes);
  if (v.type !== 'rosters' || !Array.isArray(v.envelopes) || Object.keys(v).length !== 2)
    throw bad('expected {type: "rosters", envelopes}');
  if (v.envelopes.length > MAX_SYNC_ROSTERS) throw bad(`at most ${MAX_SYNC_ROSTERS} rosters`);
  return v.envelopes.map((e) => parseEnvelope(e, { maxBytes: 2 * MAX_ROSTER_BYTES, maxSignatures: 1 }));
}
