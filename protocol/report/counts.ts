/**
 * A model-counts statement (the compliance report's signed rolling aggregate; docs/reports.md): an org's
 * node says how many of the decisions in its own log, up to a log size, named one model version — and
 * how many of those were denied (by rule) and flagged (by flag) — signed with its libp2p peer key (the
 * key the charter lists for the org), like deployment records and monitoring windows:
 *
 *   DSSE envelope { payloadType: "application/vnd.govfed.model-counts+json",
 *                   payload: base64(JCS({ "type": "govfed.model-counts/v1", "federation", "org",
 *                                         "model": {"org","name","version"}, "digest": "sha256:<hex>",
 *                                         "through": <log size counted>, "decisions", "denied",
 *                                         "flags": {<flag>: n}, "deny": {<rule id>: n}, "time" })),
 *                   signatures: [{ keyid: <the org's peer id>, sig }] }
 *
 * The counts are cumulative: every decision leaf of the org's log at an index below `through` whose
 * `modelDigest` is `digest`. A newer statement of the same version replaces the older one, so a report
 * needs one statement per org and version, whatever the number of decisions. Every org works for models
 * without monitors too (it counts every decision leaf of a registered version).
 *
 * verifyCounts (attacker-controlled input) is a checklist:
 *   1. envelope  a DSSE envelope, the payload type, one signature, canonical JSON  ERR_MALFORMED_ENVELOPE,
 *                naming an org (read, not believed)                                ERR_PAYLOAD_TYPE_MISMATCH,
 *                                                                                  ERR_MALFORMED_COUNTS
 *   2. signer    the keyid is the peer id the charter lists for that org           ERR_UNKNOWN_SIGNER
 *   3. sig       verifies under that peer key                                      ERR_BAD_SIGNATURE
 *   4. payload   exact fields and bounds; denied ≤ decisions; per-rule and per-flag  ERR_MALFORMED_COUNTS
 *                counts each ≤ their total
 *   5. context   this federation                                                   ERR_COUNTS_MISMATCH
 */

import { isPlainObject, isRfc3339Utc, isSha256Digest } from '../audit/fields.ts';
import type { DecisionLeaf } from '../audit/leaf.ts';
import { canonicalBytes } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { GovfedError } from '../errors.ts';
import { type OrgStatementRules, openOrgStatement } from '../federation/org-statement.ts';
import { checkModelRef, MODEL_ORG_RE, type ModelRef } from '../registry/model-ref.ts';

export const COUNTS_TYPE = 'govfed.model-counts/v1';
export const COUNTS_PAYLOAD_TYPE = 'application/vnd.govfed.model-counts+json';
/** Distinct deny rules and flags a statement names; more are counted under OTHER_KEY. */
export const MAX_COUNTED_KEYS = 256;
/** Where counts past MAX_COUNTED_KEYS distinct names go (not a valid rule id nor flag: never confused). */
export const OTHER_KEY = '(other)';
export const MAX_COUNTS_BYTES = 64 * 1024;
export const MAX_COUNTS_ENVELOPE = 128 * 1024;
const COUNTS_RULES: OrgStatementRules = {
  what: 'model counts',
  payloadType: COUNTS_PAYLOAD_TYPE,
  maxPayloadBytes: MAX_COUNTS_BYTES,
  limits: { maxBytes: MAX_COUNTS_ENVELOPE, maxSignatures: 1 },
  malformed: (message, cause) => bad(message, cause),
};
const HEX64 = /^[0-9a-f]{64}$/;
const KEY_RE = /^((local:)?[a-z0-9][a-z0-9_.-]{0,63}|\(other\))$/;
const FIELDS = [
  'type',
  'federation',
  'org',
  'model',
  'digest',
  'through',
  'decisions',
  'denied',
  'flags',
  'deny',
  'time',
];

/** What one org counted of one model version. */
export interface Tally {
  decisions: number;
  denied: number;
  flags: Record<string, number>;
  deny: Record<string, number>;
}

export interface ModelCounts extends Tally {
  type: typeof COUNTS_TYPE;
  federation: string;
  org: string;
  model: ModelRef;
  digest: string;
  through: number;
  time: string;
}

function bad(message: string, cause?: unknown): GovfedError {
  return new GovfedError(
    'ERR_MALFORMED_COUNTS',
    `model counts: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function emptyTally(): Tally {
  return { decisions: 0, denied: 0, flags: {}, deny: {} };
}

function bump(map: Record<string, number>, key: string): void {
  const k = Object.hasOwn(map, key) || Object.keys(map).length < MAX_COUNTED_KEYS ? key : OTHER_KEY;
  map[k] = (map[k] ?? 0) + 1;
}

/** Adds one decision leaf to a tally (pure; the node's counter calls it for each leaf of a version). */
export function countLeaf(t: Tally, leaf: DecisionLeaf): void {
  t.decisions += 1;
  if (leaf.verdict === 'denied') {
    t.denied += 1;
    for (const rule of leaf.deny ?? []) bump(t.deny, rule);
  }
  for (const flag of leaf.flags ?? []) bump(t.flags, flag);
}

/** Sum of tallies (the report's totals: recomputed by the verifier from the signed statements). */
export function addTallies(tallies: readonly Tally[]): Tally {
  const out = emptyTally();
  for (const t of tallies) {
    out.decisions += t.decisions;
    out.denied += t.denied;
    for (const [k, n] of Object.entries(t.flags)) out.flags[k] = (out.flags[k] ?? 0) + n;
    for (const [k, n] of Object.entries(t.deny)) out.deny[k] = (out.deny[k] ?? 0) + n;
  }
  return out;
}

function countMap(v: unknown, what: string, max: number): Record<string, number> {
  if (!isPlainObject(v)) throw bad(`${what}: expected an object`);
  const keys = Object.keys(v);
  if (keys.length > MAX_COUNTED_KEYS + 1) throw bad(`${what}: more than ${MAX_COUNTED_KEYS + 1} names`);
  const out: Record<string, number> = {};
  for (const k of keys) {
    const n = v[k];
    if (!KEY_RE.test(k)) throw bad(`${what}: "${k.slice(0, 80)}" is not a rule id or flag`);
    if (!isCount(n) || n < 1 || n > max) throw bad(`${what}.${k}: expected a count from 1 to ${max}`);
    out[k] = n;
  }
  return out;
}

/** Checks a statement's shape (attacker-controlled). */
export function checkCounts(v: unknown): ModelCounts {
  if (!isPlainObject(v)) throw bad('expected an object');
  for (const k of FIELDS) if (!(k in v)) throw bad(`missing "${k}"`);
  for (const k of Object.keys(v)) if (!FIELDS.includes(k)) throw bad(`unknown field "${k}"`);
  if (v.type !== COUNTS_TYPE) throw bad(`type: expected "${COUNTS_TYPE}"`);
  if (typeof v.federation !== 'string' || !HEX64.test(v.federation)) throw bad('federation: expected a federation id');
  if (typeof v.org !== 'string' || !MODEL_ORG_RE.test(v.org)) throw bad('org: expected an org name');
  const m = checkModelRef(v.model, bad);
  if (!isSha256Digest(v.digest)) throw bad('digest: expected sha256:<hex>');
  if (!isCount(v.through) || !isCount(v.decisions) || !isCount(v.denied)) {
    throw bad('through, decisions, denied: expected non-negative integers');
  }
  if (v.decisions > v.through) throw bad('decisions: more than the entries counted');
  if (v.denied > v.decisions) throw bad('denied: more than the decisions');
  if (!isRfc3339Utc(v.time)) throw bad('time: expected RFC 3339 UTC');
  return {
    type: COUNTS_TYPE,
    federation: v.federation,
    org: v.org,
    model: { org: m.org, name: m.name, version: m.version },
    digest: v.digest,
    through: v.through,
    decisions: v.decisions,
    denied: v.denied,
    flags: countMap(v.flags, 'flags', v.decisions),
    deny: countMap(v.deny, 'deny', v.denied),
    time: v.time,
  };
}

/** The canonical payload of a statement this node made. */
export function countsPayload(c: Omit<ModelCounts, 'type'>): Uint8Array {
  const bytes = canonicalBytes(checkCounts({ type: COUNTS_TYPE, ...c }));
  if (bytes.length > MAX_COUNTS_BYTES) throw bad(`more than ${MAX_COUNTS_BYTES} bytes`);
  return bytes;
}

/** Verifies a counts envelope (attacker-controlled): the checklist at the top. Returns the statement. */
export function verifyCounts(
  input: unknown,
  ctx: { federation: string; peerIdOf(org: string): string | undefined },
  opts: VerifyOptions = {},
): ModelCounts {
  // 1.–3. (protocol/federation/org-statement.ts)
  const { payload } = openOrgStatement(input, COUNTS_RULES, (org) => ctx.peerIdOf(org), opts);
  // 4.–5.
  const c = checkCounts(payload);
  if (c.federation !== ctx.federation) {
    throw new GovfedError('ERR_COUNTS_MISMATCH', 'model counts: made for another federation');
  }
  return c;
}
