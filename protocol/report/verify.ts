/**
 * Verifies a compliance report (`govfed-report/v1`, report.ts) offline, with protocol/ alone. A report
 * is attacker-controlled. Verification is a checklist; each step throws a GovfedError with a code or
 * returns what it proved:
 *   1. shape        canonical JSON + newline, bounded, exact fields          ERR_MALFORMED_REPORT (shape.ts)
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
 *   6. records      (open.ts) each record verifies as its kind (peer-signed kinds       ERR_EVIDENCE_MISMATCH,
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

import { base64Field, hashField } from '../audit/bundle-fields.ts';
import { MAX_LEAF_BYTES } from '../audit/leaf.ts';
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { parseEnvelope } from '../dsse/index.ts';
import { fromUtf8 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { verifyPeerSigned } from '../federation/envelope.ts';
import type { Charter } from '../federation/index.ts';
import { leafHash, verifyInclusion } from '../log/index.ts';
import { killRuleOf } from '../registry/revocation-status.ts';
import {
  checkCosignedCheckpoint,
  checkFederation,
  checkLogOwner,
  checkWitnessKeys,
  checkWitnessThreshold,
} from '../witness/bundle.ts';
import { controlsOf } from './controls.ts';
import { checkEvidence } from './open.ts';
import {
  REPORT_PAYLOAD_TYPE,
  REPORT_SIGNATURE_TYPE,
  type Report,
  type ReportEvidence,
  reportDigest,
  type SignedReport,
} from './report.ts';
import { checkReportShape, exact, malformed, mismatch } from './shape.ts';
import { summarize } from './summary.ts';

export interface ReportVerifyOptions extends VerifyOptions {
  /** The federation id the verifier trusts; without it the caller must judge `federationId`. */
  federationId?: string;
  /** Milliseconds since the epoch; when given, future-dated cosignatures are refused. */
  now?: number;
  /** Told as each step of the checklist starts (for a UI that shows which step a failure is at). */
  onStep?: (step: ReportStep) => void;
}

/** The checklist's steps, in order (the numbered list above). */
export const REPORT_STEPS = [
  'shape',
  'federation',
  'signature',
  'checkpoints',
  'inclusion',
  'records',
  'summary',
  'controls',
] as const;
export type ReportStep = (typeof REPORT_STEPS)[number];

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

// ---- 7–8 ----

function same(a: unknown, b: unknown): boolean {
  return fromUtf8(canonicalBytes(a)) === fromUtf8(canonicalBytes(b));
}

/**
 * Verifies a report file's bytes offline. Returns what it proved; throws a GovfedError whose code names
 * the failed step (see the checklist above).
 */
export function verifyReport(input: Uint8Array, opts: ReportVerifyOptions = {}): VerifiedReport {
  const step = opts.onStep ?? (() => {});
  step('shape');
  const signed = checkReportShape(input);
  const r = signed.report;
  step('federation');
  const chain = checkFederation(r.federation.id, r.federation.charters, opts.federationId, opts);
  const charter = chain.current;
  step('signature');
  const signedBy = checkReportSignature(signed, charter, opts);
  step('checkpoints');
  const roots = checkReportLogs(r, charter, opts);
  step('inclusion');
  const entries = r.evidence.map((e) => checkEvidenceInclusion(e, roots));
  step('records');
  const opened = checkEvidence(r, chain, entries, opts);
  step('summary');
  const summary = summarize(r.versions, opened, killRuleOf(charter), r.generated.at);
  if (!same(summary, r.summary)) {
    throw mismatch('ERR_REPORT_MISMATCH', 'the summary is not what the signed evidence gives (a number changed?)');
  }
  step('controls');
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
