/**
 * The decision record (what a model's caller submits, completed by the node) and its commitment.
 *
 * A record is the caller's input plus `decisionId` and `timestamp` (filled in when missing) and a
 * `nonce` of 16 random bytes. Its digest is SHA-256 over the RFC 8785 canonical JSON of the whole
 * record. The nonce salts that digest: a record with little entropy (a known model, a yes/no output)
 * cannot be recovered by brute force from its public leaf. The raw record stays on the node; the log
 * leaf (decisionLeaf) carries only model, time, id, digest, outcome class and policy version.
 */

import { canonicalBytes, canonicalize } from '../canonical/jcs.ts';
import { sha256 } from '../crypto/sha256.ts';
import { toBase64, toHex, utf8 } from '../encoding/bytes.ts';
import { assertNoBidiControl } from '../encoding/strict-json.ts';
import { GovfedError, isGovfedError } from '../errors.ts';
import { isJurisdiction, isLabel, isPlainObject, isRfc3339Utc, isText } from './fields.ts';
import {
  checkFlags,
  checkVerdict,
  type DecisionLeaf,
  LEAF_VERSION,
  MAX_DECISION_ID_CHARS,
  MAX_LEAF_BYTES,
  MAX_LEAF_DENY_CHARS,
  MAX_LEAF_DENY_IDS,
  MAX_MODEL_CHARS,
} from './leaf.ts';

/** Limits the HTTP layer enforces too (413 for size, 400 for shape). */
export const MAX_RECORD_BYTES = 64 * 1024;
export const MAX_INPUT_DIGEST_CHARS = 256;
export const MAX_DATA_CLASSES = 64;
export const NONCE_BYTES = 16;

export interface DecisionInput {
  model: string;
  decisionId?: string;
  timestamp?: string;
  inputDigest?: string;
  output: unknown;
  jurisdiction?: string;
  dataClasses?: string[];
  context?: Record<string, unknown>;
}

export interface DecisionRecord extends DecisionInput {
  decisionId: string;
  timestamp: string;
  /** Standard base64 of 16 random bytes. */
  nonce: string;
}

const INPUT_FIELDS = new Set([
  'model',
  'decisionId',
  'timestamp',
  'inputDigest',
  'output',
  'jurisdiction',
  'dataClasses',
  'context',
]);

function invalid(message: string): GovfedError<string> {
  return new GovfedError('ERR_INVALID_RECORD', message);
}

/**
 * Checks a decision input (attacker-controlled: the body of POST /v1/decisions) and returns it typed.
 * JSON-ness of `output` and `context` (no undefined, NaN, class instances, depth <= 64) is checked when
 * the record is canonicalised.
 */
export function checkDecisionInput(value: unknown): DecisionInput {
  if (!isPlainObject(value)) throw invalid('record: expected a JSON object');
  for (const k of Object.keys(value)) if (!INPUT_FIELDS.has(k)) throw invalid(`record: unknown field "${k}"`);
  const v = value;
  if (!isText(v.model, MAX_MODEL_CHARS)) throw invalid(`model: expected text of 1..${MAX_MODEL_CHARS} chars`);
  assertNoBidiControl(v.model, 'model'); // a name people read: no text that displays as another
  if (v.decisionId !== undefined && !isText(v.decisionId, MAX_DECISION_ID_CHARS)) {
    throw invalid(`decisionId: expected text of 1..${MAX_DECISION_ID_CHARS} chars`);
  }
  if (v.timestamp !== undefined && !isRfc3339Utc(v.timestamp)) {
    throw invalid('timestamp: expected an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.fff]Z)');
  }
  if (v.inputDigest !== undefined && !isText(v.inputDigest, MAX_INPUT_DIGEST_CHARS)) {
    throw invalid(`inputDigest: expected text of 1..${MAX_INPUT_DIGEST_CHARS} chars`);
  }
  if (!('output' in v) || v.output === undefined) throw invalid('output: required');
  if (v.jurisdiction !== undefined && !isJurisdiction(v.jurisdiction)) {
    throw invalid('jurisdiction: expected a code like EU, DE or US-CA');
  }
  if (v.dataClasses !== undefined) {
    if (!Array.isArray(v.dataClasses) || v.dataClasses.length > MAX_DATA_CLASSES) {
      throw invalid(`dataClasses: expected an array of at most ${MAX_DATA_CLASSES} labels`);
    }
    for (const c of v.dataClasses)
      if (!isLabel(c)) throw invalid('dataClasses: expected labels of 1..64 [A-Za-z0-9_.:-]');
  }
  if (v.context !== undefined && !isPlainObject(v.context)) throw invalid('context: expected a JSON object');
  return v as unknown as DecisionInput;
}

/**
 * A decision input that passed checkDecisionInput, as a value: the recorder checks a decision once and
 * hands this to evaluation (protocol/policy's `decision` hook) and to sealDecision, which then take it
 * as checked instead of checking again. It carries the input's fields as its own; being a class
 * instance, no JSON (attacker data) can pass for one.
 */
export class CheckedDecision implements DecisionInput {
  declare readonly model: string;
  declare readonly decisionId?: string;
  declare readonly timestamp?: string;
  declare readonly inputDigest?: string;
  declare readonly output: unknown;
  declare readonly jurisdiction?: string;
  declare readonly dataClasses?: string[];
  declare readonly context?: Record<string, unknown>;

  private constructor(input: DecisionInput) {
    Object.assign(this, input);
  }

  /** checkDecisionInput(value), kept as checked. Throws ERR_INVALID_RECORD. */
  static check(value: unknown): CheckedDecision {
    return new CheckedDecision(checkDecisionInput(value));
  }
}

/** A random RFC 9562 version-4 UUID from 16 bytes of `random`. */
function uuidV4(random: (n: number) => Uint8Array): string {
  const b = Uint8Array.from(random(16));
  if (b.length !== 16) throw new GovfedError('ERR_INVALID_INPUT', 'random(16) must return 16 bytes');
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Completes a checked input into a record: keeps the caller's fields, fills `decisionId` (UUID v4) and
 * `timestamp` (opts.now, RFC 3339 UTC) when missing, and adds a fresh nonce. `random` must be a CSPRNG.
 */
export function completeRecord(
  input: DecisionInput | CheckedDecision,
  opts: { now: Date; random: (n: number) => Uint8Array },
): DecisionRecord {
  const checked: DecisionInput = input instanceof CheckedDecision ? input : checkDecisionInput(input);
  const nonce = opts.random(NONCE_BYTES);
  if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_BYTES) {
    throw new GovfedError('ERR_INVALID_INPUT', `random(${NONCE_BYTES}) must return ${NONCE_BYTES} bytes`);
  }
  const rec: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(checked)) if (x !== undefined) rec[k] = x;
  rec.decisionId = checked.decisionId ?? uuidV4(opts.random);
  rec.timestamp = checked.timestamp ?? opts.now.toISOString();
  rec.nonce = toBase64(nonce);
  return rec as unknown as DecisionRecord;
}

/**
 * The canonical bytes of a record (what the node stores and what the digest covers). A value JSON
 * cannot represent (NaN, undefined, a class instance, nesting deeper than 64) is ERR_INVALID_RECORD.
 */
export function encodeRecord(rec: DecisionRecord): Uint8Array {
  try {
    return canonicalBytes(rec);
  } catch (cause) {
    if (isGovfedError(cause)) throw new GovfedError('ERR_INVALID_RECORD', `record: ${cause.message}`, { cause });
    throw cause;
  }
}

/** 'sha256:' + hex of SHA-256 over already-encoded record bytes (`hash`: a SHA-256, default @noble's). */
export function digestRecordBytes(bytes: Uint8Array, hash: (data: Uint8Array) => Uint8Array = sha256): string {
  return `sha256:${toHex(hash(bytes))}`;
}

/** 'sha256:' + hex(SHA-256(JCS(rec))). */
export function recordDigest(rec: DecisionRecord): string {
  return digestRecordBytes(encodeRecord(rec));
}

const OUTCOME_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A short outcome label: a string output that is itself a label is its own class; anything else is 'structured'. */
export function outcomeClass(output: unknown): string {
  return typeof output === 'string' && OUTCOME_RE.test(output) ? output : 'structured';
}

/** What the policy said about a decision, as its leaf records it. */
export interface LeafVerdict {
  verdict: 'allowed' | 'denied';
  /** Ids of the deny rules that fired (`local:<id>` for local ones); trimmed by leafDenyIds. */
  deny?: readonly string[];
}

/**
 * The deny ids a leaf can carry: distinct, in order, at most MAX_LEAF_DENY_IDS of them and at most
 * MAX_LEAF_DENY_CHARS characters together (the rest are dropped: the leaf stays denied, and the reply to
 * the caller lists every rule).
 */
export function leafDenyIds(ids: readonly string[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const id of new Set(ids)) {
    if (out.length === MAX_LEAF_DENY_IDS || chars + id.length > MAX_LEAF_DENY_CHARS) break;
    out.push(id);
    chars += id.length;
  }
  return out;
}

/** What the node adds to a decision's leaf about its model (node/registry resolves it). */
export interface LeafModelFacts {
  /** The model version's digest, when the registry knows it. */
  modelDigest?: string;
  /** Flags raised (sorted and de-duplicated here). */
  flags?: readonly string[];
}

function leafFor(
  rec: DecisionRecord,
  digest: string,
  policyVersion: number | undefined,
  verdict?: LeafVerdict,
  model?: LeafModelFacts,
): DecisionLeaf {
  const leaf: DecisionLeaf = {
    v: LEAF_VERSION,
    type: 'decision',
    model: rec.model,
    time: rec.timestamp,
    decisionId: rec.decisionId,
    recordDigest: digest,
    outcome: outcomeClass(rec.output),
  };
  if (policyVersion !== undefined) leaf.policyVersion = policyVersion;
  if (verdict !== undefined) {
    leaf.verdict = verdict.verdict;
    if (verdict.verdict === 'denied') leaf.deny = leafDenyIds(verdict.deny ?? []);
  }
  if (model?.modelDigest !== undefined) leaf.modelDigest = model.modelDigest;
  if (model?.flags !== undefined && model.flags.length > 0) leaf.flags = [...new Set(model.flags)].sort();
  return leaf;
}

/** The log leaf committing to `rec`. */
export function decisionLeaf(rec: DecisionRecord, policyVersion?: number): DecisionLeaf {
  return leafFor(rec, recordDigest(rec), policyVersion);
}

/**
 * The canonical bytes of a leaf that leafFor built from a sealed record — encodeLeaf's output, written
 * directly: the members in RFC 8785 order (UTF-16 code units: decisionId, deny, flags, model,
 * modelDigest, outcome, policyVersion, recordDigest, time, type, v, verdict), strings as JSON.stringify
 * writes them. Its text fields come from the record, checked by checkDecisionInput with the leaf's
 * limits and already canonicalised (so well-formed); what comes from the policy and the registry (deny
 * ids, flags) and the size are checked here. The property tests compare it with encodeLeaf.
 */
function encodeSealedLeaf(leaf: DecisionLeaf, encode: (s: string) => Uint8Array): Uint8Array {
  checkVerdict(leaf.verdict, leaf.deny);
  if (leaf.flags !== undefined) checkFlags(leaf.flags);
  let s = `{"decisionId":${JSON.stringify(leaf.decisionId)}`;
  if (leaf.deny !== undefined) s += `,"deny":${JSON.stringify(leaf.deny)}`;
  if (leaf.flags !== undefined) s += `,"flags":${JSON.stringify(leaf.flags)}`;
  s += `,"model":${JSON.stringify(leaf.model)}`;
  if (leaf.modelDigest !== undefined) s += `,"modelDigest":"${leaf.modelDigest}"`;
  s += `,"outcome":${JSON.stringify(leaf.outcome)}`;
  if (leaf.policyVersion !== undefined) s += `,"policyVersion":${leaf.policyVersion}`;
  s += `,"recordDigest":"${leaf.recordDigest}","time":"${leaf.time}","type":"decision","v":${LEAF_VERSION}`;
  if (leaf.verdict !== undefined) s += `,"verdict":"${leaf.verdict}"`;
  const bytes = encode(`${s}}`);
  if (bytes.length > MAX_LEAF_BYTES) {
    throw new GovfedError('ERR_MALFORMED_LEAF', `leaf: ${bytes.length} bytes, more than ${MAX_LEAF_BYTES}`);
  }
  return bytes;
}

export interface SealedDecision {
  record: DecisionRecord;
  /** Canonical record bytes (stored by the node, served to auditors). */
  recordBytes: Uint8Array;
  leaf: DecisionLeaf;
  /** Canonical leaf bytes (the log entry). */
  leafBytes: Uint8Array;
}

/**
 * Everything ingest needs for one input, each encoding done once: check (unless it is a CheckedDecision),
 * complete, encode the record,
 * digest it, build and encode the leaf. `policyVersion` and `verdict` go into the leaf as given (a
 * denied verdict without rule ids is ERR_MALFORMED_LEAF). Throws ERR_INVALID_RECORD / ERR_INVALID_INPUT
 * for bad input.
 */
export function sealDecision(
  input: unknown,
  opts: {
    now: Date;
    random: (n: number) => Uint8Array;
    policyVersion?: number;
    verdict?: LeafVerdict;
    model?: LeafModelFacts;
    /** SHA-256 for the record digest (default @noble's; node/ passes OpenSSL's). */
    sha256?: (data: Uint8Array) => Uint8Array;
    /** UTF-8 encoder (default TextEncoder; node/ passes Buffer's, cheaper for short strings). */
    utf8?: (s: string) => Uint8Array;
  },
): SealedDecision {
  const record = completeRecord(input instanceof CheckedDecision ? input : (input as DecisionInput), opts);
  const encode = opts.utf8 ?? utf8;
  let recordBytes: Uint8Array;
  try {
    recordBytes = encode(canonicalize(record));
  } catch (cause) {
    if (isGovfedError(cause)) throw new GovfedError('ERR_INVALID_RECORD', `record: ${cause.message}`, { cause });
    throw cause;
  }
  const leaf = leafFor(
    record,
    digestRecordBytes(recordBytes, opts.sha256),
    opts.policyVersion,
    opts.verdict,
    opts.model,
  );
  return { record, recordBytes, leaf, leafBytes: encodeSealedLeaf(leaf, encode) };
}
