/**
 * The demo's last act (cli/commands/demo.ts; docs/reports.md): eu's node puts together the compliance
 * report on eu/fraud-model — every org's records and signed decision counts, each proven in the
 * witnessed log of the org that made it — and the demo checks it offline with protocol/report alone
 * (every signature and proof, every number recomputed) before it writes it to DIR/fraud-model-report.json.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { opensslVerify } from '../../node/crypto/ed25519.ts';
import { reportFileBytes, type SignedReport } from '../../protocol/report/report.ts';
import { verifyReport } from '../../protocol/report/verify.ts';
import { reportHtml } from '../report-html.ts';
import { MODEL, type RegistryNode } from './registry.ts';

export interface ReportAct {
  file: string;
  html: string;
  evidence: number;
  orgs: string[];
  decisions: number;
  denied: number;
  killSwitch: string;
  controls: { id: string; status: string }[];
  /** What the report lacks (an org unreachable, a record not witnessed in time): none in the demo. */
  gaps: { org: string; reason: string }[];
  verify: string;
}

export async function reportAct(dir: string, eu: RegistryNode, say: (s: string) => void): Promise<ReportAct> {
  const q = new URLSearchParams({ org: 'eu', version: MODEL.version, waitMs: '20000' });
  const signed = (await eu.client.report(`/models/${MODEL.name}?${q}`)) as unknown as SignedReport;
  const bytes = reportFileBytes(signed);
  const v = verifyReport(bytes, { now: Date.now(), verify: opensslVerify });
  const file = path.join(dir, `${MODEL.name}-report.json`);
  const html = path.join(dir, `${MODEL.name}-report.html`);
  await writeFile(file, bytes, { mode: 0o644 });
  await writeFile(html, reportHtml(v.report), { mode: 0o644 });
  const s = v.report.summary;
  const version = s.versions[0];
  const act: ReportAct = {
    file,
    html,
    evidence: v.evidence,
    orgs: v.orgs,
    decisions: s.total.decisions,
    denied: s.total.denied,
    killSwitch: version?.killSwitch.state ?? 'active',
    controls: v.report.controls.map((c) => ({ id: c.id, status: c.status })),
    gaps: v.report.gaps.map((g) => ({ org: g.org, reason: g.reason })),
    verify: `govfed verify ${file} --federation ${v.federationId}`,
  };
  say(
    `  report: eu's node gathered ${v.evidence} signed records on eu/${MODEL.name}@${MODEL.version} from ${v.orgs.join(', ')}, ` +
      `each proven in its maker's witnessed log (decisions ${act.decisions}, denied ${act.denied}, kill switch ${act.killSwitch}); ` +
      `verified offline, every count recomputed: ${file} (and ${path.basename(html)}); check it again with: ${act.verify}`,
  );
  return act;
}
