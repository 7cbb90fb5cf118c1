/**
 * The log leaf: what one entry of a node's audit log commits to.
 *
 * Leaf bytes are the RFC 8785 canonical JSON of `{"v":1,"type":<type>,...}`, UTF-8 encoded, at most
 * 4 KiB. The RFC 6962 leaf hash is SHA-256(0x00 || leaf bytes). A leaf is a small commitment, never the
 * raw record: a decision leaf carries the model, time, decision id, the salted digest of the full record,
 * an outcome class, the policy version and the policy verdict (allowed / denied, with the ids of the deny
 * rules that fired); a governance leaf carries the kind of event and the digest of its canonical object. `v` versions the format; `type` says which of the two shapes follows.
 *
 * Decoding is strict: the bytes must be canonical, every field is checked, and unknown fields or
 * versions are rejected (ERR_MALFORMED_LEAF, with the underlying error as `cause`).
 */
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import { GovfedError, isGovfedError } from '../errors.ts';
import { isKind, isLabel, isPlainObject, isRfc3339Utc, isSha256Digest, isText, isUint } from './fields.ts';

export const LEAF_VERSION = 1;
/** Upper bound on the encoded size of a leaf. */
export const MAX_LEAF_BYTES = 4096;
/** Limits on free-text leaf fields (UTF-16 code units). */
export const MAX_MODEL_CHARS = 256;
export const MAX_DECISION_ID_CHARS = 128;
export const MAX_REF_CHARS = 512;
/** At most this many deny rule ids in a decision leaf, and at most this many characters in all of them. */
export const MAX_LEAF_DENY_IDS = 64;
export const MAX_LEAF_DENY_CHARS = 1024;
/** A deny rule id in a leaf: a policy rule id, prefixed `local:` for a node-local rule. */
export const LEAF_RULE_ID_PATTERN = '^(local:)?[a-z0-9][a-z0-9_.-]{0,63}$';
const LEAF_RULE_ID_RE = new RegExp(LEAF_RULE_ID_PATTERN);
/** A decision flag (`shadow_ai`, …): lowercase words joined by `_`. */
export const LEAF_FLAG_PATTERN = '^[a-z][a-z0-9_]{0,31}$';
const LEAF_FLAG_RE = new RegExp(LEAF_FLAG_PATTERN);
export const MAX_LEAF_FLAGS = 8;

export type LeafType = 'decision' | 'governance';

export interface DecisionLeaf {
  v: 1;
  type: 'decision';
  model: string;
  /** RFC 3339 UTC. */
  time: string;
  decisionId: string;
  /** 'sha256:' + 64 hex: digest of the canonical full record (salted by its nonce). */
  recordDigest: string;
  /** Outcome class (see outcomeClass in decision.ts). */
  outcome: string;
  policyVersion?: number;
  /** The policy verdict on this decision (the `decision` hook), when the node evaluated one. */
  verdict?: 'allowed' | 'denied';
  /** Ids of the deny rules that fired (global ids as is, local ones as `local:<id>`); only when denied. */
  deny?: string[];
  /** The digest of the model version the decision names, when the node's registry knows it (sha256:<hex>). */
  modelDigest?: string;
  /** Flags the node raised, sorted and distinct (e.g. `shadow_ai`: the model is not an approved version). */
  flags?: string[];
}

export interface GovernanceLeaf {
  v: 1;
  type: 'governance';
  /** e.g. 'node.init', 'policy.bundle', 'federation.charter'. */
  kind: string;
  time: string;
  /** 'sha256:' + hex of the canonical object the event is about. */
  digest: string;
  ref?: string;
}

export type Leaf = DecisionLeaf | GovernanceLeaf;

const DECISION_FIELDS = new Set([
  'v',
  'type',
  'model',
  'time',
  'decisionId',
  'recordDigest',
  'outcome',
  'policyVersion',
  'verdict',
  'deny',
  'modelDigest',
  'flags',
]);
const GOVERNANCE_FIELDS = new Set(['v', 'type', 'kind', 'time', 'digest', 'ref']);

function malformed(message: string, cause?: unknown): GovfedError<string> {
  return new GovfedError('ERR_MALFORMED_LEAF', message, cause === undefined ? undefined : { cause });
}

function checkFields(obj: Record<string, unknown>, allowed: Set<string>): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) throw malformed(`unknown leaf field "${k}"`);
}

function checkDecision(o: Record<string, unknown>): DecisionLeaf {
  checkFields(o, DECISION_FIELDS);
  if (!isText(o.model, MAX_MODEL_CHARS)) throw malformed(`model: expected text of 1..${MAX_MODEL_CHARS} chars`);
  if (!isRfc3339Utc(o.time)) throw malformed('time: expected an RFC 3339 UTC timestamp');
  if (!isText(o.decisionId, MAX_DECISION_ID_CHARS)) {
    throw malformed(`decisionId: expected text of 1..${MAX_DECISION_ID_CHARS} chars`);
  }
  if (!isSha256Digest(o.recordDigest)) throw malformed('recordDigest: expected sha256:<64 hex>');
  if (!isLabel(o.outcome)) throw malformed('outcome: expected a label of 1..64 [A-Za-z0-9_.:-]');
  if (o.policyVersion !== undefined && !isUint(o.policyVersion)) {
    throw malformed('policyVersion: expected a non-negative integer');
  }
  checkVerdict(o.verdict, o.deny);
  if (o.modelDigest !== undefined && !isSha256Digest(o.modelDigest))
    throw malformed('modelDigest: expected sha256:<64 hex>');
  if (o.flags !== undefined) checkFlags(o.flags);
  return o as unknown as DecisionLeaf;
}

/** Flags: 1..MAX_LEAF_FLAGS distinct names, sorted (so a leaf has one canonical form). */
export function checkFlags(flags: unknown): void {
  if (!Array.isArray(flags) || flags.length < 1 || flags.length > MAX_LEAF_FLAGS) {
    throw malformed(`flags: expected 1..${MAX_LEAF_FLAGS} flag names`);
  }
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    if (typeof f !== 'string' || !LEAF_FLAG_RE.test(f)) throw malformed('flags: expected names like shadow_ai');
    if (i > 0 && !((flags[i - 1] as string) < f)) throw malformed('flags: expected sorted, distinct names');
  }
}

/**
 * `verdict` is optional; `deny` is present exactly when the verdict is `denied`, and then lists 1..64
 * distinct rule ids of at most MAX_LEAF_DENY_CHARS characters together.
 */
export function checkVerdict(verdict: unknown, deny: unknown): void {
  if (verdict === undefined) {
    if (deny !== undefined) throw malformed('deny: only allowed with verdict "denied"');
    return;
  }
  if (verdict !== 'allowed' && verdict !== 'denied') throw malformed('verdict: expected "allowed" or "denied"');
  if (verdict === 'allowed') {
    if (deny !== undefined) throw malformed('deny: only allowed with verdict "denied"');
    return;
  }
  if (!Array.isArray(deny) || deny.length < 1 || deny.length > MAX_LEAF_DENY_IDS) {
    throw malformed(`deny: expected 1..${MAX_LEAF_DENY_IDS} rule ids with verdict "denied"`);
  }
  let chars = 0;
  for (const id of deny) {
    if (typeof id !== 'string' || !LEAF_RULE_ID_RE.test(id)) throw malformed('deny: expected rule ids ([local:]id)');
    chars += id.length;
  }
  if (chars > MAX_LEAF_DENY_CHARS) throw malformed(`deny: more than ${MAX_LEAF_DENY_CHARS} characters of rule ids`);
  if (new Set(deny).size !== deny.length) throw malformed('deny: duplicate rule id');
}

function checkGovernance(o: Record<string, unknown>): GovernanceLeaf {
  checkFields(o, GOVERNANCE_FIELDS);
  if (!isKind(o.kind)) throw malformed('kind: expected dotted lowercase words, e.g. node.init');
  if (!isRfc3339Utc(o.time)) throw malformed('time: expected an RFC 3339 UTC timestamp');
  if (!isSha256Digest(o.digest)) throw malformed('digest: expected sha256:<64 hex>');
  if (o.ref !== undefined && !isText(o.ref, MAX_REF_CHARS))
    throw malformed(`ref: expected text of 1..${MAX_REF_CHARS} chars`);
  return o as unknown as GovernanceLeaf;
}

/** Checks the shape of a leaf value (attacker-controlled when it came off the wire) and returns it typed. */
export function checkLeaf(value: unknown): Leaf {
  if (!isPlainObject(value)) throw malformed('leaf: expected a JSON object');
  if (value.v !== LEAF_VERSION) throw malformed(`leaf: unsupported version ${JSON.stringify(value.v)}`);
  switch (value.type) {
    case 'decision':
      return checkDecision(value);
    case 'governance':
      return checkGovernance(value);
    default:
      throw malformed(`leaf: unknown type ${JSON.stringify(value.type)}`);
  }
}

/** The canonical bytes of a leaf. Throws ERR_MALFORMED_LEAF for an invalid leaf or one over 4 KiB. */
export function encodeLeaf(leaf: Leaf): Uint8Array {
  checkLeaf(leaf);
  const bytes = canonicalBytes(leaf);
  if (bytes.length > MAX_LEAF_BYTES) throw malformed(`leaf: ${bytes.length} bytes, more than ${MAX_LEAF_BYTES}`);
  return bytes;
}

/**
 * Decodes leaf bytes (attacker-controlled: they come from a log, a peer or a proof bundle). Size is
 * checked before parsing; the JSON must be canonical; the shape must be exactly a v1 leaf.
 */
export function decodeLeaf(bytes: Uint8Array): Leaf {
  if (!(bytes instanceof Uint8Array)) throw malformed('leaf: expected Uint8Array');
  if (bytes.length > MAX_LEAF_BYTES) throw malformed(`leaf: ${bytes.length} bytes, more than ${MAX_LEAF_BYTES}`);
  let value: unknown;
  try {
    value = parseCanonical(bytes, MAX_LEAF_BYTES);
  } catch (cause) {
    if (isGovfedError(cause)) throw malformed(`leaf: ${cause.message}`, cause);
    throw cause;
  }
  return checkLeaf(value);
}
