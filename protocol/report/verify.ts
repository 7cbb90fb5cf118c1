/**
 * Verifies a compliance report (`govfed-report/v1`, report.ts) offline, with protocol/ alone. A report
 * is attacker-controlled. Verification is a checklist; each step throws a GovfedError with a code or
 * returns what it proved:
 *   1. shape        canonical JSON + newline, bounded, exact fields          ERR_MALFORMED_REPORT
 *   2. federation   federation.id == the pinned id (when given); the charter ERR_FEDERATION_MISMATCH and the
 *                   chain verifies from the genesis                          charter codes
 *   3. signature    the signature envelope is signed by the peer key the     ERR_UNKNOWN_SIGNER, ERR_BAD_SIGNATURE,
 *                   charter lists for `generated.org`, over the report's     ERR_REPORT_DIGEST_MISMATCH
 *                   digest
 *   4. checkpoints  each log: a member's (current or retired) log key named   ERR_UNKNOWN_KEY, ERR_ORIGIN_MISMATCH,
 *                   `origin`, org = that member; each checkpoint signed by    ERR_UNKNOWN_WITNESS, ERR_WITNESS_THRESHOLD,
 *                   it and cosigned by >= k other members' witness keys       ERR_TREE_SIZE_MISMATCH, …
 *                   (protocol/witness/bundle.ts steps 3–7)
 *   5. inclusion    each evidence entry is in its org's checkpoint of its     ERR_ROOT_MISMATCH, ERR_PROOF_SIZE,
 *                   treeSize                                                  ERR_MALFORMED_REPORT
 *   6. records      each record verifies as its kind (peer-signed kinds       ERR_EVIDENCE_MISMATCH,
 *                   against the charter; windows against the report's         ERR_MALFORMED_REPORT_EVIDENCE and the
 *                   contracts and baseline), is about a listed version, was   kinds' own codes
 *                   made by the evidence's org, and the entry is exactly the
 *                   leaf the record gives (evidence.ts)
 *   7. summary      recomputed from the records (counts: the sum of the       ERR_REPORT_MISMATCH
 *                   signed model-counts statements) equals the report's
 *   8. controls     recomputed from the summary equals the report's          ERR_REPORT_MISMATCH
 * Without `federationId` the report proves only that *some* federation's members agree
 * (federationPinned = false): the caller must judge the id.
 */
import { MAX_PROOF_HASHES } from '../audit/bundle.ts';
import { base64Field, hashField } from '../audit/bundle-fields.ts';
import { isPlainObject, isRfc3339Utc, isSha256Digest } from '../audit/fields.ts';
import { encodeLeaf, MAX_LEAF_BYTES } from '../audit/leaf.ts';
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { sha256 } from '../crypto/sha256.ts';
import { decodeEnvelope, type Envelope, parseEnvelope } from '../dsse/index.ts';
import { equalBytes, fromUtf8, toHex } from '../encoding/bytes.ts';
import { type ErrorCode, GovfedError } from '../errors.ts';
import { verifyPeerSigned } from '../federation/envelope.ts';
import type { Charter, CharterChain } from '../federation/index.ts';
import { leafHash, verifyInclusion } from '../log/index.ts';
import type { Baseline } from '../monitoring/baseline.ts';
import { verifyWindow } from '../monitoring/statement.ts';
import { verifyDeployment } from '../registry/deployment.ts';
import { checkModelRef, type ModelRef } from '../registry/model-ref.ts';
import { killRuleOf } from '../registry/revocation-status.ts';
import {
  checkCosignedCheckpoint,
  checkFederation,
  checkLogOwner,
  checkWitnessKeys,
  checkWitnessThreshold,
} from '../witness/bundle.ts';
import { controlsOf } from './controls.ts';
import { verifyCounts } from './counts.ts';
import {
  claimPersonSigned,
  countsLeaf,
  deploymentLeaf,
  EVIDENCE_KINDS,
  type EvidenceKind,
  windowLeaf,
} from './evidence.ts';
import {
  MAX_GAPS,
  MAX_LOG_CHECKPOINTS,
  MAX_REPORT_BYTES,
  MAX_REPORT_EVIDENCE,
  MAX_REPORT_LOGS,
  MAX_REPORT_VERSIONS,
  REPORT_FORMAT,
  REPORT_PAYLOAD_TYPE,
  REPORT_SIGNATURE_TYPE,
  type Report,
  type ReportEvidence,
  reportDigest,
  type SignedReport,
} from './report.ts';
import { type OpenedEvidence, summarize } from './summary.ts';

export interface ReportVerifyOptions extends VerifyOptions {
  /** The federation id the verifier trusts; without it the caller must judge `federationId`. */
  federationId?: string;
  /** Milliseconds since the epoch; when given, future-dated cosignatures are refused. */
  now?: number;
}

export interface VerifiedReport {
  report: Report;
  federationId: string;
  federationPinned: boolean;
  /** The org whose node signed it. */
  signedBy: string;
  /** Evidence items verified, and the orgs whose witnessed logs prove them. */
  evidence: number;
  orgs: string[];
}

function malformed(message: string, cause?: unknown): GovfedError {
  return new GovfedError('ERR_MALFORMED_REPORT', `report: ${message}`, cause === undefined ? undefined : { cause });
}

function mismatch(code: ErrorCode, message: string): GovfedError {
  return new GovfedError(code, `report: ${message}`);
}

function exact(
  v: unknown,
  fields: readonly string[],
  optional: readonly string[],
  what: string,
): Record<string, unknown> {
  if (!isPlainObject(v)) throw malformed(`${what}: expected an object`);
  for (const k of fields) if (!(k in v)) throw malformed(`${what}: missing "${k}"`);
  for (const k of Object.keys(v))
    if (!fields.includes(k) && !optional.includes(k)) throw malformed(`${what}: unknown field "${k}"`);
  return v;
}

function list(v: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(v) || v.length > max) throw malformed(`${what}: expected an array of at most ${max} items`);
  return v;
}

function text(v: unknown, what: string, max = 8192): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    throw malformed(`${what}: expected text of 1..${max} chars`);
  return v;
}

function uint(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw malformed(`${what}: expected an integer ≥ 0`);
  return v;
}

// ---- 1. shape ----

/** Step 1: the file's bytes are the canonical JSON of {report, signature} and one newline; exact fields. */
export function checkReportShape(input: Uint8Array): SignedReport {
  if (input.length > MAX_REPORT_BYTES) throw malformed(`larger than ${MAX_REPORT_BYTES} bytes`);
  if (input.length < 2 || input[input.length - 1] !== 0x0a) throw malformed('expected canonical JSON and a newline');
  let value: unknown;
  try {
    value = parseCanonical(input.subarray(0, input.length - 1), MAX_REPORT_BYTES);
  } catch (cause) {
    throw malformed('not RFC 8785 canonical JSON (was it edited?)', cause);
  }
  const top = exact(value, ['report', 'signature'], [], 'file');
  const r = exact(
    top.report,
    ['format', 'subject', 'generated', 'federation', 'versions', 'logs', 'evidence', 'summary', 'controls', 'gaps'],
    [],
    'report',
  );
  if (r.format !== REPORT_FORMAT) throw malformed(`format: expected "${REPORT_FORMAT}"`);
  const subject = exact(r.subject, ['org', 'name'], ['version'], 'subject');
  text(subject.org, 'subject.org', 64);
  text(subject.name, 'subject.name', 128);
  if (subject.version !== undefined) text(subject.version, 'subject.version', 128);
  const g = exact(r.generated, ['org', 'peerId', 'at'], [], 'generated');
  text(g.org, 'generated.org', 64);
  text(g.peerId, 'generated.peerId', 256);
  if (!isRfc3339Utc(g.at)) throw malformed('generated.at: expected RFC 3339 UTC');
  const f = exact(r.federation, ['id', 'charters'], [], 'federation');
  text(f.id, 'federation.id', 64);
  list(f.charters, 'federation.charters', 1024);
  for (const [i, v] of list(r.versions, 'versions', MAX_REPORT_VERSIONS).entries()) {
    const x = exact(v, ['model', 'digest'], [], `versions[${i}]`);
    checkModelRef(x.model, (m) => malformed(`versions[${i}].model: ${m}`));
    if (!isSha256Digest(x.digest)) throw malformed(`versions[${i}].digest: expected sha256:<hex>`);
  }
  for (const [i, v] of list(r.logs, 'logs', MAX_REPORT_LOGS).entries()) {
    const l = exact(v, ['org', 'origin', 'logKey', 'checkpoints'], [], `logs[${i}]`);
    for (const k of ['org', 'origin', 'logKey']) text(l[k], `logs[${i}].${k}`);
    for (const [j, c] of list(l.checkpoints, `logs[${i}].checkpoints`, MAX_LOG_CHECKPOINTS).entries()) {
      const cp = exact(c, ['treeSize', 'note', 'witnessKeys'], [], `logs[${i}].checkpoints[${j}]`);
      uint(cp.treeSize, 'treeSize');
      text(cp.note, 'note', 64 * 1024);
      for (const k of list(cp.witnessKeys, 'witnessKeys', 256)) text(k, 'witnessKeys[]');
    }
  }
  const ids = new Set<string>();
  for (const [i, v] of list(r.evidence, 'evidence', MAX_REPORT_EVIDENCE).entries()) {
    const e = exact(
      v,
      ['id', 'kind', 'org', 'index', 'treeSize', 'entry', 'inclusion', 'record'],
      [],
      `evidence[${i}]`,
    );
    if (e.id !== `e${i + 1}`) throw malformed(`evidence[${i}].id: expected "e${i + 1}"`);
    ids.add(e.id);
    if (!EVIDENCE_KINDS.includes(e.kind as EvidenceKind)) throw malformed(`evidence[${i}].kind: unknown`);
    text(e.org, `evidence[${i}].org`, 64);
    uint(e.index, `evidence[${i}].index`);
    uint(e.treeSize, `evidence[${i}].treeSize`);
    base64Field(e.entry, `evidence[${i}].entry`, MAX_LEAF_BYTES);
    for (const [j, h] of list(e.inclusion, `evidence[${i}].inclusion`, MAX_PROOF_HASHES).entries()) {
      hashField(h, `evidence[${i}].inclusion[${j}]`);
    }
    if (!isPlainObject(e.record)) throw malformed(`evidence[${i}].record: expected a DSSE envelope`);
  }
  list(r.controls, 'controls', 64);
  for (const [i, v] of list(r.gaps, 'gaps', MAX_GAPS).entries()) {
    const x = exact(v, ['org', 'reason'], [], `gaps[${i}]`);
    text(x.org, 'gaps[].org', 64);
    text(x.reason, 'gaps[].reason', 1024);
  }
  if (!isPlainObject(r.summary)) throw malformed('summary: expected an object');
  if (!isPlainObject(top.signature)) throw malformed('signature: expected a DSSE envelope');
  return top as unknown as SignedReport;
}

// ---- 3. signature ----

/** Step 3: signed by the peer key of `generated.org` over the report's digest. Returns that org. */
export function checkReportSignature(signed: SignedReport, charter: Charter, opts: VerifyOptions = {}): string {
  const r = signed.report;
  const member = charter.members.find((m) => m.org === r.generated.org);
  if (member === undefined || member.peerId !== r.generated.peerId) {
    throw new GovfedError(
      'ERR_UNKNOWN_SIGNER',
      `report: ${r.generated.org} is not a member with peer id ${r.generated.peerId}`,
    );
  }
  const env = parseEnvelope(signed.signature, { maxBytes: 4096, maxSignatures: 1 });
  const p = verifyPeerSigned(env, { payloadType: REPORT_PAYLOAD_TYPE, allowed: new Set([member.peerId]), ...opts });
  let payload: unknown;
  try {
    payload = parseCanonical(p.payload, 1024);
  } catch (cause) {
    throw malformed('signature payload is not canonical JSON', cause);
  }
  const s = exact(payload, ['type', 'digest'], [], 'signature payload');
  if (s.type !== REPORT_SIGNATURE_TYPE) throw malformed(`signature payload: type must be ${REPORT_SIGNATURE_TYPE}`);
  if (s.digest !== reportDigest(r)) {
    throw mismatch('ERR_REPORT_DIGEST_MISMATCH', 'the signature is over another report (a byte of it changed)');
  }
  return member.org;
}

// ---- 4. checkpoints ----

/** Step 4: every log's checkpoints; returns, per org, the verified root of each tree size. */
export function checkReportLogs(
  r: Report,
  charter: Charter,
  opts: ReportVerifyOptions = {},
): Map<string, Map<number, Uint8Array>> {
  const out = new Map<string, Map<number, Uint8Array>>();
  for (const log of r.logs) {
    const { owner, logVerifier } = checkLogOwner(charter, log.logKey, log.origin, opts);
    if (owner.org !== log.org)
      throw new GovfedError('ERR_ORIGIN_MISMATCH', `report: log ${log.origin} is ${owner.org}'s, not ${log.org}'s`);
    if (out.has(log.org)) throw malformed(`logs: ${log.org} listed twice`);
    const roots = new Map<number, Uint8Array>();
    for (const cp of log.checkpoints) {
      const witnesses = checkWitnessKeys(charter, owner, cp.witnessKeys, opts);
      const { checkpoint, cosigners } = checkCosignedCheckpoint(cp.note, logVerifier, witnesses, opts.now);
      checkWitnessThreshold(charter, owner, cosigners);
      if (checkpoint.size !== cp.treeSize) {
        throw new GovfedError(
          'ERR_TREE_SIZE_MISMATCH',
          `report: ${log.org}'s checkpoint is of size ${checkpoint.size}, not ${cp.treeSize}`,
        );
      }
      roots.set(cp.treeSize, checkpoint.rootHash);
    }
    out.set(log.org, roots);
  }
  return out;
}

// ---- 5. inclusion ----

/** Step 5: the entry is in its org's checkpoint of its treeSize. Returns the entry's bytes. */
export function checkEvidenceInclusion(e: ReportEvidence, roots: Map<string, Map<number, Uint8Array>>): Uint8Array {
  const root = roots.get(e.org)?.get(e.treeSize);
  if (root === undefined)
    throw malformed(`${e.id}: no checkpoint of ${e.org}'s log of size ${e.treeSize} in the report`);
  const entry = base64Field(e.entry, `${e.id}.entry`, MAX_LEAF_BYTES);
  const proof = e.inclusion.map((h, i) => hashField(h, `${e.id}.inclusion[${i}]`));
  verifyInclusion(e.index, e.treeSize, leafHash(entry), proof, root);
  return entry;
}

// ---- 6. records ----

export interface EvidenceContext {
  federation: string;
  peerIdOf(org: string): string | undefined;
  /** Contracts (by `sha256:<id>`) and baselines (by model key) of the report, for windows. */
  contracts: Map<string, { model: string; monitors: import('../registry/contract-terms.ts').RequiredMonitor[] }>;
  baselines: Map<string, { digest: string; baseline?: Baseline }>;
}

const keyOf = (m: ModelRef) => `${m.org}/${m.name}@${m.version}`;

/** Step 6 for one item: the record verifies as its kind and gives exactly `entry`. Returns what it says. */
export function openEvidence(
  e: Pick<ReportEvidence, 'id' | 'kind' | 'org' | 'record'>,
  entry: Uint8Array,
  ctx: EvidenceContext,
  opts: VerifyOptions = {},
): OpenedEvidence {
  const env = e.record as Envelope;
  let opened: OpenedEvidence;
  let expected: Uint8Array;
  let maker: string;
  switch (e.kind) {
    case 'deployment': {
      const record = verifyDeployment(env, ctx, opts);
      opened = { id: e.id, org: record.org, kind: 'deployment', record };
      expected = encodeLeaf(deploymentLeaf(record));
      maker = record.org;
      break;
    }
    case 'counts': {
      const counts = verifyCounts(env, ctx, opts);
      opened = { id: e.id, org: counts.org, kind: 'counts', counts };
      expected = encodeLeaf(countsLeaf(env, counts));
      maker = counts.org;
      break;
    }
    case 'window': {
      const window = verifyWindow(
        env,
        {
          federation: ctx.federation,
          peerIdOf: (org) => ctx.peerIdOf(org),
          monitorOf: (model, contract, index) => {
            const c = ctx.contracts.get(contract);
            const b = ctx.baselines.get(keyOf(model));
            const monitor = c?.model === keyOf(model) ? c.monitors[index] : undefined;
            if (monitor === undefined || b === undefined) return undefined;
            return { monitor, digest: b.digest, ...(b.baseline === undefined ? {} : { baseline: b.baseline }) };
          },
        },
        opts,
      );
      opened = { id: e.id, org: window.org, kind: 'window', window };
      expected = encodeLeaf(windowLeaf(env, window));
      maker = window.org;
      break;
    }
    default: {
      const c = claimPersonSigned(e.kind, parseEnvelope(env, { maxBytes: 256 * 1024 * 2, maxSignatures: 1 }));
      if (c.predicate.federation !== ctx.federation) {
        throw mismatch('ERR_EVIDENCE_MISMATCH', `${e.id}: a record of another federation`);
      }
      const recordId = toHex(sha256(decodeEnvelope(env).payload));
      if (c.kind === 'contract')
        opened = { id: e.id, org: c.maker, kind: 'contract', predicate: c.predicate, contractId: recordId };
      else if (c.kind === 'revocation') {
        const keyid = env.signatures[0]?.keyid ?? '';
        opened = { id: e.id, org: c.maker, kind: 'revocation', predicate: c.predicate, keyid, recordId };
      } else if (c.kind === 'approval') opened = { id: e.id, org: c.maker, kind: 'approval', predicate: c.predicate };
      else opened = { id: e.id, org: c.maker, kind: 'registration', predicate: c.predicate };
      expected = encodeLeaf(c.leaf);
      maker = c.maker;
    }
  }
  if (maker !== e.org) throw mismatch('ERR_EVIDENCE_MISMATCH', `${e.id}: made by ${maker}, not ${e.org}`);
  if (!equalBytes(expected, entry)) {
    throw mismatch('ERR_EVIDENCE_MISMATCH', `${e.id}: the log entry is not the leaf its record gives`);
  }
  return opened;
}

/** The windows' context from the report's own contract and registration records (claimed, then proven). */
export function evidenceContext(r: Report, chain: CharterChain): EvidenceContext {
  const members = chain.current.members;
  const contracts: EvidenceContext['contracts'] = new Map();
  const baselines: EvidenceContext['baselines'] = new Map();
  const digests = new Map(r.versions.map((v) => [keyOf(v.model), v.digest]));
  for (const e of r.evidence) {
    if (e.kind !== 'contract' && e.kind !== 'registration') continue;
    try {
      const c = claimPersonSigned(e.kind, e.record);
      const key = keyOf(c.model);
      if (c.kind === 'contract') {
        const id = `sha256:${toHex(sha256(decodeEnvelope(e.record).payload))}`;
        contracts.set(id, { model: key, monitors: c.predicate.terms.requiredMonitors ?? [] });
      } else if (c.kind === 'registration') {
        const digest = digests.get(key);
        const b = c.predicate.baseline;
        if (digest !== undefined) baselines.set(key, { digest, ...(b === undefined ? {} : { baseline: b }) });
      }
    } catch {
      // step 6 reports it on the item itself
    }
  }
  return {
    federation: chain.federationId,
    peerIdOf: (org) => members.find((m) => m.org === org)?.peerId,
    contracts,
    baselines,
  };
}

/** Step 6 for the whole report: every item opens, is about a listed version, and no record is cited twice. */
export function checkEvidence(
  r: Report,
  chain: CharterChain,
  entries: readonly Uint8Array[],
  opts: VerifyOptions = {},
): OpenedEvidence[] {
  const ctx = evidenceContext(r, chain);
  const listed = new Set(r.versions.map((v) => keyOf(v.model)));
  const seen = new Set<string>();
  return r.evidence.map((e, i) => {
    const o = openEvidence(e, entries[i] as Uint8Array, ctx, opts);
    const model =
      o.kind === 'deployment'
        ? o.record.model
        : o.kind === 'window'
          ? o.window.model
          : o.kind === 'counts'
            ? o.counts.model
            : o.predicate.model;
    if (!listed.has(keyOf(model)))
      throw mismatch('ERR_EVIDENCE_MISMATCH', `${e.id}: about ${keyOf(model)}, not a listed version`);
    const h = toHex(sha256(canonicalBytes(e.record)));
    if (seen.has(h)) throw mismatch('ERR_EVIDENCE_MISMATCH', `${e.id}: a record cited twice`);
    seen.add(h);
    return o;
  });
}

// ---- 7–8 ----

function same(a: unknown, b: unknown): boolean {
  return fromUtf8(canonicalBytes(a)) === fromUtf8(canonicalBytes(b));
}

/**
 * Verifies a report file's bytes offline. Returns what it proved; throws a GovfedError whose code names
 * the failed step (see the checklist above).
 */
export function verifyReport(input: Uint8Array, opts: ReportVerifyOptions = {}): VerifiedReport {
  const signed = checkReportShape(input);
  const r = signed.report;
  const chain = checkFederation(r.federation.id, r.federation.charters, opts.federationId, opts);
  const charter = chain.current;
  const signedBy = checkReportSignature(signed, charter, opts);
  const roots = checkReportLogs(r, charter, opts);
  const entries = r.evidence.map((e) => checkEvidenceInclusion(e, roots));
  const opened = checkEvidence(r, chain, entries, opts);
  const summary = summarize(r.versions, opened, killRuleOf(charter), r.generated.at);
  if (!same(summary, r.summary)) {
    throw mismatch('ERR_REPORT_MISMATCH', 'the summary is not what the signed evidence gives (a number changed?)');
  }
  if (!same(controlsOf(summary), r.controls)) {
    throw mismatch('ERR_REPORT_MISMATCH', 'the controls are not what the evidence gives');
  }
  return {
    report: r,
    federationId: chain.federationId,
    federationPinned: opts.federationId !== undefined,
    signedBy,
    evidence: r.evidence.length,
    orgs: [...roots.keys()].sort(),
  };
}
