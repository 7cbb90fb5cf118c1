/**
 * `govfed verify report.json [--federation ID] [--json]` for a compliance report (govfed-report/v1):
 * protocol/report/verify.ts runs the checklist offline; this prints what it proved (exit 0) or the failed
 * step's code (exit 1).
 */
import { opensslVerify } from '../node/crypto/ed25519.ts';
import { isGovfedError } from '../protocol/errors.ts';
import { type VerifiedReport, verifyReport } from '../protocol/report/verify.ts';
import { CheckFailedError, ExitCode } from './exit.ts';
import { formatJson, formatKeyValues, type Io } from './output.ts';

const REPORT_START = new TextEncoder().encode('{"report":');

/** A report file is canonical JSON: it starts with its first key. */
export function isReportFile(bytes: Uint8Array): boolean {
  return bytes.length >= REPORT_START.length && REPORT_START.every((b, i) => bytes[i] === b);
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
  let v: VerifiedReport;
  try {
    v = verifyReport(bytes, {
      ...(federation === undefined ? {} : { federationId: federation }),
      now: Date.now(),
      verify: opensslVerify,
    });
  } catch (err) {
    if (!isGovfedError(err)) throw err;
    if (json) io.stdout(formatJson({ ok: false, error: { code: err.code, message: err.message } }));
    throw new CheckFailedError(`${file} does not verify: ${err.code}: ${err.message}`, { code: err.code, cause: err });
  }
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
