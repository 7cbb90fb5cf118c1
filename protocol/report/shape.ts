/**
 * Step 1 of a report's verification (verify.ts): the file's bytes are the RFC 8785 canonical JSON of
 * {report, signature} and one newline — so any byte changed outside what the later steps recompute breaks
 * it — within bounds, with exact fields at every level the later steps do not recompute whole.
 * Attacker-controlled input: every field is checked before it is used.
 */
import { MAX_PROOF_HASHES } from '../audit/bundle.ts';
import { base64Field, hashField } from '../audit/bundle-fields.ts';
import { isPlainObject, isRfc3339Utc, isSha256Digest } from '../audit/fields.ts';
import { MAX_LEAF_BYTES } from '../audit/leaf.ts';
import { parseCanonical } from '../canonical/jcs.ts';
import { type ErrorCode, GovfedError } from '../errors.ts';
import { checkModelRef } from '../registry/model-ref.ts';
import { EVIDENCE_KINDS, type EvidenceKind } from './evidence.ts';
import {
  MAX_GAPS,
  MAX_LOG_CHECKPOINTS,
  MAX_REPORT_BYTES,
  MAX_REPORT_EVIDENCE,
  MAX_REPORT_LOGS,
  MAX_REPORT_VERSIONS,
  REPORT_FORMAT,
  type SignedReport,
} from './report.ts';

export function malformed(message: string, cause?: unknown): GovfedError {
  return new GovfedError('ERR_MALFORMED_REPORT', `report: ${message}`, cause === undefined ? undefined : { cause });
}

export function mismatch(code: ErrorCode, message: string): GovfedError {
  return new GovfedError(code, `report: ${message}`);
}

export function exact(
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
    [
      'format',
      'subject',
      'generated',
      'federation',
      'versions',
      'logs',
      'rosters',
      'evidence',
      'summary',
      'controls',
      'gaps',
    ],
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
  for (const [i, v] of list(r.rosters, 'rosters', MAX_REPORT_LOGS).entries()) {
    if (!isPlainObject(v)) throw malformed(`rosters[${i}]: expected a DSSE envelope`);
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
