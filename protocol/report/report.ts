/**
 * The compliance report file, `govfed-report/v1` (docs/reports.md): one model, every org of the
 * federation, each fact backed by a signed record and an inclusion proof against a witnessed checkpoint
 * of the log of the org that made it — signed by the node that gathered it.
 *
 *   { "report": {
 *       "format": "govfed-report/v1",
 *       "subject": {"org", "name", "version"?},          what was asked (no version: every version)
 *       "generated": {"org", "peerId", "at"},             the asking node and when
 *       "federation": {"id", "charters": [<charter DSSE envelopes, versions 1..n>]},
 *       "versions": [{"model": {"org","name","version"}, "digest"}],
 *       "logs": [{"org", "origin", "logKey",
 *                 "checkpoints": [{"treeSize", "note": <cosigned checkpoint>, "witnessKeys": [...]}]}],
 *       "rosters": [<roster DSSE envelope of each org whose people signed a record>],
 *       "evidence": [{"id": "e1", "kind", "org": <maker>, "index", "treeSize",
 *                     "entry": <base64 leaf>, "inclusion": [<base64 hash>...], "record": <DSSE envelope>}],
 *       "summary": {...summary.ts...}, "controls": [...controls.ts...],
 *       "gaps": [{"org", "reason"}] },                    what could not be gathered (unreachable orgs, …)
 *     "signature": <DSSE envelope, payloadType application/vnd.govfed.report+json, payload JCS of
 *                   {"type": "govfed.report-signature/v1", "digest": "sha256:<hex of JCS(report)>"},
 *                   signed with the asking node's libp2p peer key (keyid = its peer id)> }
 *
 * The file is written as its RFC 8785 canonical JSON plus one newline, and read back only in that form:
 * any changed byte either breaks canonical form (ERR_MALFORMED_REPORT) or changes what is signed and
 * recomputed. The node identity (peer key) signs, not the log key: the charter binds it to the org, and
 * a report is a statement by a node, not an entry of its log.
 */
import { canonicalBytes } from '../canonical/jcs.ts';
import { sha256 } from '../crypto/sha256.ts';
import type { Envelope } from '../dsse/index.ts';
import { toHex } from '../encoding/bytes.ts';
import type { ModelRef } from '../registry/model-ref.ts';
import type { Control } from './controls.ts';
import type { EvidenceKind } from './evidence.ts';
import type { ReportSummary } from './summary.ts';

export const REPORT_FORMAT = 'govfed-report/v1';
export const REPORT_SIGNATURE_TYPE = 'govfed.report-signature/v1';
export const REPORT_PAYLOAD_TYPE = 'application/vnd.govfed.report+json';
/** Bounds on a report (attacker-controlled). */
export const MAX_REPORT_BYTES = 32 * 1024 * 1024;
export const MAX_REPORT_EVIDENCE = 20_000;
export const MAX_REPORT_LOGS = 1024;
export const MAX_REPORT_VERSIONS = 256;
export const MAX_LOG_CHECKPOINTS = 64;
export const MAX_GAPS = 1024;

export interface ReportCheckpoint {
  treeSize: number;
  note: string;
  witnessKeys: string[];
}

export interface ReportLog {
  org: string;
  origin: string;
  logKey: string;
  checkpoints: ReportCheckpoint[];
}

export interface ReportEvidence {
  id: string;
  kind: EvidenceKind;
  org: string;
  index: number;
  treeSize: number;
  entry: string;
  inclusion: string[];
  record: Envelope;
}

export interface Report {
  format: typeof REPORT_FORMAT;
  subject: { org: string; name: string; version?: string };
  generated: { org: string; peerId: string; at: string };
  federation: { id: string; charters: Envelope[] };
  versions: { model: ModelRef; digest: string }[];
  logs: ReportLog[];
  /** The newest roster of each org whose people signed a cited record (their keys, current and revoked). */
  rosters: Envelope[];
  evidence: ReportEvidence[];
  summary: ReportSummary;
  controls: Control[];
  gaps: { org: string; reason: string }[];
}

export interface SignedReport {
  report: Report;
  signature: Envelope;
}

/** `sha256:` + hex of the report's canonical JSON: what the signature covers. */
export function reportDigest(report: Report): string {
  return `sha256:${toHex(sha256(canonicalBytes(report)))}`;
}

/** The payload the asking node signs (with its peer key) over a report. */
export function reportSignaturePayload(report: Report): Uint8Array {
  return canonicalBytes({ type: REPORT_SIGNATURE_TYPE, digest: reportDigest(report) });
}

/** The bytes of a report file: canonical JSON and a newline (see the top). */
export function reportFileBytes(signed: SignedReport): Uint8Array {
  const body = canonicalBytes(signed);
  const out = new Uint8Array(body.length + 1);
  out.set(body);
  out[body.length] = 0x0a;
  return out;
}
