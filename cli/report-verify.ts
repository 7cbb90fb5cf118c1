/**
 * `govfed verify report.json [--federation ID] [--json]` for a compliance report (govfed-report/v1):
 * protocol/report/verify.ts runs the checklist offline; this prints what it proved (exit 0) or the failed
 * step's code (exit 1).
 */
import { opensslVerify } from '../node/crypto/ed25519.ts';
import { canonicalize } from '../protocol/canonical/jcs.ts';
import { isGovfedError } from '../protocol/errors.ts';
import { reportOscal } from '../protocol/report/oscal.ts';
import { type VerifiedReport, verifyReport } from '../protocol/report/verify.ts';
import { CheckFailedError, ExitCode } from './exit.ts';
import { formatJson, formatKeyValues, type Io } from './output.ts';

const REPORT_START = new TextEncoder().encode('{"report":');

/** A report file is canonical JSON: it starts with its first key. */
export function isReportFile(bytes: Uint8Array): boolean {
  return bytes.length >= REPORT_START.length && REPORT_START.every((b, i) => bytes[i] === b);
}

/** An OSCAL export (`report model --format oscal`): a JSON object whose first key is assessment-results. */
export function isOscalFile(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).replace(/\s+/g, '');
  return head.startsWith('{"assessment-results":');
}

/**
 * An OSCAL export: the signed report it carries (back-matter) is verified as a report, and the document
 * must be exactly what that report gives (protocol/report/oscal.ts) — so no field of it can change either.
 */
export function verifyOscalFile(
  file: string,
  bytes: Uint8Array,
  federation: string | undefined,
  json: boolean,
  io: Io,
): number {
  const fail = (code: string, message: string): never => {
    if (json) io.stdout(formatJson({ ok: false, error: { code, message } }));
    throw new CheckFailedError(`${file} does not verify: ${code}: ${message}`, { code });
  };
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return fail('ERR_MALFORMED_REPORT', 'not JSON');
  }
  const value = (
    doc as { 'assessment-results'?: { 'back-matter'?: { resources?: { base64?: { value?: unknown } }[] } } }
  )['assessment-results']?.['back-matter']?.resources?.[0]?.base64?.value;
  if (typeof value !== 'string') return fail('ERR_MALFORMED_REPORT', 'no signed govfed report in the back-matter');
  const inner = Buffer.from(value, 'base64');
  const v = check(file, inner, federation, json, io);
  if (canonicalize(reportOscal(v.report, inner)) !== canonicalize(doc)) {
    return fail('ERR_REPORT_MISMATCH', 'the OSCAL document is not what its signed report gives (a field changed)');
  }
  return printVerified(v, json, io);
}

export const UNPINNED_REPORT_WARNING =
  'warning: the federation was taken from the report itself (no --federation); this shows the members of that ' +
  'federation agree, not that it is the federation you trust. Pin it with --federation ID.';

export function verifyReportFile(
  file: string,
  bytes: Uint8Array,
  federation: string | undefined,
  json: boolean,
  io: Io,
): number {
  return printVerified(check(file, bytes, federation, json, io), json, io);
}

/** The checklist (protocol/report/verify.ts); a failed step is exit 1 with its code. */
function check(file: string, bytes: Uint8Array, federation: string | undefined, json: boolean, io: Io): VerifiedReport {
  try {
    return verifyReport(bytes, {
      ...(federation === undefined ? {} : { federationId: federation }),
      now: Date.now(),
      verify: opensslVerify,
    });
  } catch (err) {
    if (!isGovfedError(err)) throw err;
    if (json) io.stdout(formatJson({ ok: false, error: { code: err.code, message: err.message } }));
    throw new CheckFailedError(`${file} does not verify: ${err.message}`, { code: err.code, cause: err });
  }
}

function printVerified(v: VerifiedReport, json: boolean, io: Io): number {
  if (!v.federationPinned) io.stderr(`${UNPINNED_REPORT_WARNING}\n`);
  const r = v.report;
  const subject = `${r.subject.org}/${r.subject.name}${r.subject.version === undefined ? '' : `@${r.subject.version}`}`;
  if (json) {
    io.stdout(
      formatJson({
        ok: true,
        format: r.format,
        subject,
        federationId: v.federationId,
        federationPinned: v.federationPinned,
        signedBy: v.signedBy,
        generatedAt: r.generated.at,
        evidence: v.evidence,
        orgs: v.orgs,
        total: r.summary.total,
        controls: r.controls.map((c) => ({ id: c.id, status: c.status })),
        gaps: r.gaps.length,
      }),
    );
    return ExitCode.OK;
  }
  io.stdout(
    `OK: the report on ${subject} verifies: ${v.evidence} signed records proven in the witnessed logs of ${v.orgs.length} orgs; every count recomputed\n\n`,
  );
  io.stdout(
    formatKeyValues([
      ['signed by', `${v.signedBy} at ${r.generated.at}`],
      ['federation', v.federationId],
      ['federation pinned', v.federationPinned ? 'yes (--federation)' : 'NO (taken from the report)'],
      ['orgs', v.orgs.join(', ')],
      ['deployed in', r.summary.deployedIn.join(', ') || '(none)'],
      ['decisions', r.summary.total.decisions],
      ['denied', r.summary.total.denied],
      ['gaps', r.gaps.length],
    ]),
  );
  return ExitCode.OK;
}
