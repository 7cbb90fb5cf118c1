/**
 * The compliance report view's logic (docs/reports.md, docs/console.md): ask the node for a model
 * version's report (GET /v1/reports/models/{name}?org=&version=&waitMs=, the session's bearer token —
 * never in a URL), and verify it *in the browser* with protocol/report's own verifier (verify.ts
 * verifyReport, the numbered checklist `govfed verify` runs: shape, federation, signature, checkpoints,
 * inclusion, records, summary, controls). esbuild bundles that code into the console; there is no
 * second verifier, and the step a failure is at is the one verifyReport was running (its `onStep`).
 *
 * The node's answer is attacker-controlled: it is turned into the report file's exact bytes
 * (report.ts reportFileBytes — RFC 8785 canonical JSON and a newline, what the CLI writes and `govfed
 * verify` reads) and only those bytes are verified, shown and offered for download. The federation id
 * is pinned: to the one the person pastes (a source they trust), else the one the node states
 * (GET /v1/federation) — then the outcome says so.
 *
 * No DOM here: tested under Node (test/console/logic/report.test.ts).
 */
import { isGovfedError } from '../../protocol/errors.ts';
import { reportOscal } from '../../protocol/report/oscal.ts';
import { MAX_REPORT_BYTES, type Report, reportFileBytes, type SignedReport } from '../../protocol/report/report.ts';
import { REPORT_STEPS, type ReportStep, verifyReport } from '../../protocol/report/verify.ts';
import type { ConsoleApi } from './api.ts';

/** How long the node may wait for fresh records to be witnessed (the CLI's default --wait, 15 s). */
export const REPORT_WAIT_MS = 15_000;

const LABELS: Readonly<Record<ReportStep, string>> = {
  shape: 'shape: canonical JSON and a newline, bounded, exact fields',
  federation: 'federation: the charter chain verifies from its genesis, whose SHA-256 is the pinned federation id',
  signature: "signature: by the peer key the charter lists for the generating org, over the report's digest",
  checkpoints: "checkpoints: each org's log is a member's, signed by its key and cosigned by enough members' witnesses",
  inclusion: "inclusion: every evidence entry is in its org's witnessed checkpoint",
  records: 'records: each record verifies as its kind, by its signer, and is exactly the proven leaf',
  summary: 'summary: recomputed from the signed records (counts: the sums of the signed statements)',
  controls: 'controls: recomputed from the summary',
};

export type StepState = 'passed' | 'failed' | 'not run';

export interface ReportCheckStep {
  id: ReportStep;
  label: string;
  state: StepState;
}

export interface ReportOutcome {
  ok: boolean;
  steps: ReportCheckStep[];
  error?: { code: string; message: string };
  federationId?: string;
  /** Where the pinned id came from: the person ('you'), or the node's own status ('node'). */
  pinnedBy: 'you' | 'node';
  /** Only when verified: the report, the file's bytes (as the CLI writes them) and who signed it. */
  report?: Report;
  file?: Uint8Array;
  signedBy?: string;
  evidence?: number;
  orgs?: string[];
}

/** The checklist's states: every step passed, or those before `failedAt` passed, it failed, the rest did not run. */
export function reportSteps(failedAt?: ReportStep | 'fetch'): ReportCheckStep[] {
  const i = failedAt === undefined ? REPORT_STEPS.length : REPORT_STEPS.indexOf(failedAt as ReportStep);
  return REPORT_STEPS.map((id, j) => ({
    id,
    label: LABELS[id],
    state: failedAt === 'fetch' ? 'not run' : j < i ? 'passed' : j === i ? 'failed' : 'not run',
  }));
}

/** The route of a version's report (its org, name and version as query and path). */
export function reportPath(m: { org: string; name: string; version: string }, waitMs = REPORT_WAIT_MS): string {
  const q = new URLSearchParams({ org: m.org, version: m.version, waitMs: String(waitMs) });
  return `/v1/reports/models/${encodeURIComponent(m.name)}?${q}`;
}

const failure = (err: unknown) => {
  const code = (err as { code?: unknown }).code;
  return {
    code: typeof code === 'string' ? code : 'ERR_INTERNAL',
    message: (err as Error).message ?? String(err),
  };
};

/**
 * Verifies a report file's bytes pinned to `federationId` (the checklist of protocol/report/verify.ts).
 * `now`: future-dated cosignatures are refused, as the CLI does.
 */
export function checkReportFile(
  file: Uint8Array,
  federationId: string,
  pinnedBy: 'you' | 'node',
  now = Date.now(),
): ReportOutcome {
  let at: ReportStep = 'shape';
  try {
    const v = verifyReport(file, {
      federationId,
      now,
      onStep: (s) => {
        at = s;
      },
    });
    return {
      ok: true,
      steps: reportSteps(),
      federationId,
      pinnedBy,
      report: v.report,
      file,
      signedBy: v.signedBy,
      evidence: v.evidence,
      orgs: v.orgs,
    };
  } catch (err) {
    if (!isGovfedError(err)) throw err;
    return { ok: false, steps: reportSteps(at), error: failure(err), federationId, pinnedBy };
  }
}

export type ReportPhase = 'asking' | 'verifying';

/**
 * Asks the node for the report on version `m` and verifies it; `pin`: a federation id from a source the
 * person trusts, else the node's own (GET /v1/federation). `onPhase` is told when each phase starts;
 * before verifying (synchronous, a millisecond or so a signature) the browser gets a turn to show it.
 */
export async function fetchReport(
  api: Pick<ConsoleApi, 'json'>,
  m: { org: string; name: string; version: string },
  pin?: string,
  onPhase: (phase: ReportPhase) => void = () => {},
): Promise<ReportOutcome> {
  onPhase('asking');
  const pinnedBy = pin === undefined ? 'node' : 'you';
  let file: Uint8Array;
  let federationId: string;
  try {
    const [answer, fed] = await Promise.all([
      // A report file may be up to MAX_REPORT_BYTES (report.ts); the shape step bounds it again.
      api.json<SignedReport>(reportPath(m), MAX_REPORT_BYTES),
      pin === undefined ? api.json<{ id?: string }>('/v1/federation') : Promise.resolve({ id: pin }),
    ]);
    if (typeof fed.id !== 'string')
      throw Object.assign(new Error('this node is in no federation'), { code: 'ERR_NOT_FEDERATED' });
    federationId = fed.id;
    // Untrusted JSON: canonicalized as is; the shape step refuses anything but {report, signature}.
    file = reportFileBytes(answer);
  } catch (err) {
    return { ok: false, steps: reportSteps('fetch'), error: failure(err), pinnedBy };
  }
  onPhase('verifying');
  await new Promise((resolve) => setTimeout(resolve, 0));
  return checkReportFile(file, federationId, pinnedBy);
}

/** The file names a download is offered under: NAME-VERSION-report.json, and .oscal.json. */
export function downloadNames(m: { name: string; version: string }): { json: string; oscal: string } {
  const base = `${m.name}-${m.version}`.replace(/[^A-Za-z0-9_.-]/g, '_');
  return { json: `${base}-report.json`, oscal: `${base}-report.oscal.json` };
}

/** The OSCAL form of a verified report, exactly as `govfed report model --format oscal` writes it. */
export function oscalText(report: Report, file: Uint8Array): string {
  return `${JSON.stringify(reportOscal(report, file), null, 2)}\n`;
}
