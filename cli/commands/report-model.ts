/**
 * `govfed report model NAME[@VERSION] --out report.json [--html FILE] [--format oscal] [--org ORG]
 * [--wait SECONDS] [--home DIR] [--json]` — a compliance report on a model across every org of the
 * federation (GET /v1/reports/models/{name}; docs/reports.md). The node's answer is attacker-controlled
 * until checked: it is verified here with protocol/report (every signature, proof and number) before it
 * is written, as its canonical JSON (what `govfed verify` reads back). --format oscal writes the OSCAL
 * assessment-results instead (the signed report rides in its back-matter); --html also writes the
 * self-contained page for people (cli/report-html.ts).
 */
import { opensslVerify } from '../../node/crypto/ed25519.ts';
import { fromUtf8 } from '../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { reportOscal } from '../../protocol/report/oscal.ts';
import { reportFileBytes, type SignedReport } from '../../protocol/report/report.ts';
import { type VerifiedReport, verifyReport } from '../../protocol/report/verify.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, requireOption, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { writeOut } from '../crossorg-output.ts';
import { CheckFailedError, ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson, formatTable, type Io } from '../output.ts';
import { reportHtml } from '../report-html.ts';

const NAME = 'report model';
const REF_RE =
  /^(?:([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\/)?([A-Za-z0-9][A-Za-z0-9_.-]{0,127})(?:@([A-Za-z0-9][A-Za-z0-9_.-]{0,127}))?$/;
const DEFAULT_WAIT_S = 15;

export const reportModelCommand: CommandSpec = {
  name: NAME,
  summary: 'Build a signed compliance report on a model across every org; verify it offline with govfed verify.',
  usage: `${NAME} NAME[@VERSION] --out FILE [--html FILE] [--format json|oscal] [--org ORG] [--wait SECONDS] [--home DIR] [--json]`,
  positionals: [
    {
      name: 'NAME[@VERSION]',
      description: 'the model (ORG/NAME when several orgs registered that name); no version: all',
    },
  ],
  description: `
Asks the node for a compliance report on the model: where it is deployed and since when, under which
contract, its approvals and risk score, decision counts, denials and flags by kind, monitoring windows and
breaches, suspensions and revocations — gathered from every member, each backed by the signed record and
an inclusion proof against a witnessed checkpoint of the org that made it, and a controls section (EU AI
Act Art. 9, 12, 14, 72, 73; NIST AI RMF MANAGE 2.4; ISO/IEC 42001 A.6). The report is checked here before
it is written to --out; 'govfed verify FILE' checks it again anywhere, offline. Records not witnessed
within --wait seconds (default ${DEFAULT_WAIT_S}) and unreachable orgs are listed as gaps.`,
  options: {
    ...CLIENT_OPTIONS,
    out: { type: 'string', value: 'FILE', description: 'where to write the report' },
    html: { type: 'string', value: 'FILE', description: 'also write a self-contained HTML page for people' },
    format: {
      type: 'string',
      value: 'json|oscal',
      description: 'govfed report JSON (default) or OSCAL assessment-results',
    },
    org: { type: 'string', value: 'ORG', description: 'the org that registered it (when several did)' },
    wait: {
      type: 'string',
      value: 'SECONDS',
      description: `how long to wait for records to be witnessed (default ${DEFAULT_WAIT_S})`,
    },
    ...JSON_OPTION,
  },
  examples: [
    'govfed report model fraud --home ./eu --out fraud-report.json --html fraud-report.html',
    'govfed report model eu/fraud@1.0.0 --home ./us --out fraud.oscal.json --format oscal',
  ],
  async run(args, io) {
    const m = REF_RE.exec(args.positionals[0] ?? '');
    if (m === null) throw new UsageError(`${NAME}: name the model as NAME, NAME@VERSION or ORG/NAME[@VERSION]`);
    if (args.positionals.length > 1) throw new UsageError(`${NAME}: one model at a time`);
    const out = requireOption(args, NAME, 'out');
    const format = stringOption(args, 'format') ?? 'json';
    if (format !== 'json' && format !== 'oscal') throw new UsageError(`${NAME}: --format is json or oscal`);
    const waitText = stringOption(args, 'wait') ?? String(DEFAULT_WAIT_S);
    if (!/^[0-9]{1,2}$/.test(waitText)) throw new UsageError(`${NAME}: --wait is whole seconds from 0 to 60`);
    const wait = Number(waitText);
    if (wait > 60) throw new UsageError(`${NAME}: --wait is whole seconds from 0 to 60`);
    const org = stringOption(args, 'org') ?? m[1];
    const q = new URLSearchParams({ waitMs: String(wait * 1000) });
    if (m[3] !== undefined) q.set('version', m[3]);
    if (org !== undefined) q.set('org', org);
    const client = new ApiClient(await resolveTarget(args, io, NAME), { timeoutMs: (wait + 60) * 1000 });
    const answer = await client.report(`/models/${encodeURIComponent(m[2] as string)}?${q}`);
    const bytes = reportFileBytes(answer as unknown as SignedReport);
    const v = check(bytes);
    const text = format === 'oscal' ? formatJson(reportOscal(v.report, bytes)) : fromUtf8(bytes);
    await writeOut(out, text, io);
    const html = stringOption(args, 'html');
    if (html !== undefined) await writeOut(html, reportHtml(v.report), io);
    print(io, v, out, html, booleanOption(args, 'json'));
    return ExitCode.OK;
  },
};

/** The node's report, checked as any auditor would (its own federation: the node is ours). */
function check(bytes: Uint8Array): VerifiedReport {
  try {
    return verifyReport(bytes, { now: Date.now(), verify: opensslVerify });
  } catch (err) {
    if (!isGovfedError(err)) throw err;
    throw new CheckFailedError(`the node's report does not verify: ${err.message}`, {
      code: err.code,
      cause: err,
    });
  }
}

function print(io: Io, v: VerifiedReport, out: string, html: string | undefined, json: boolean): void {
  const r = v.report;
  const s = r.summary;
  if (json) {
    io.stdout(
      formatJson({
        ok: true,
        file: out,
        ...(html === undefined ? {} : { html }),
        federationId: v.federationId,
        signedBy: v.signedBy,
        evidence: v.evidence,
        orgs: v.orgs,
        deployedIn: s.deployedIn,
        total: s.total,
        controls: r.controls.map((c) => ({ id: c.id, status: c.status })),
        gaps: r.gaps,
      }),
    );
    return;
  }
  io.stdout(
    `Report written to ${out}${html === undefined ? '' : ` (and ${html})`}: ${v.evidence} evidence items from ${v.orgs.length} orgs, signed by ${v.signedBy}\n\n`,
  );
  const rows = s.versions.flatMap((ver) =>
    ver.deployments.map((d) => {
      const c = ver.counts.byOrg.find((x) => x.org === d.org);
      return [
        `${ver.model.name}@${ver.model.version}`,
        d.org,
        d.state,
        d.since,
        c?.decisions ?? 0,
        c?.denied ?? 0,
        ver.killSwitch.state,
      ];
    }),
  );
  if (rows.length > 0)
    io.stdout(formatTable(['VERSION', 'ORG', 'STATE', 'SINCE', 'DECISIONS', 'DENIED', 'KILL SWITCH'], rows));
  io.stdout(`\ndecisions ${s.total.decisions}, denied ${s.total.denied}, flags ${JSON.stringify(s.total.flags)}\n\n`);
  io.stdout(
    formatTable(
      ['CONTROL', 'STATUS', 'EVIDENCE', 'MISSING'],
      r.controls.map((c) => [c.title, c.status, c.evidence.length, c.missing.length]),
    ),
  );
  for (const g of r.gaps) io.stderr(`gap: ${g.org}: ${g.reason}\n`);
  io.stdout(`\nVerify it anywhere: govfed verify ${out} --federation ${v.federationId}\n`);
}
