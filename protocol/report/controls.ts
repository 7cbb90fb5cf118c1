/**
 * The report's controls section: the evidence mapped to obligations — a pure function of the summary, so
 * the verifier recomputes it (verify.ts step 8). Each control lists the evidence ids that support it and
 * what is missing; its status is `supported` (evidence and nothing missing), `partial` (evidence, but
 * something missing) or `missing` (no evidence). The mapping is govfed's reading of the texts, written
 * down in docs/reports.md "Controls"; it says what the federation's records show, not that an
 * obligation is met.
 */
import type { ReportSummary, VersionSummary } from './summary.ts';

export interface Control {
  id: string;
  framework: 'EU AI Act' | 'NIST AI RMF 1.0' | 'ISO/IEC 42001:2023';
  title: string;
  status: 'supported' | 'partial' | 'missing';
  evidence: string[];
  missing: string[];
}

interface Found {
  evidence: string[];
  missing: string[];
}

type Rule = (versions: readonly VersionSummary[], summary: ReportSummary) => Found;

const each = (vs: readonly VersionSummary[], fn: (v: VersionSummary, name: string) => Found): Found => {
  const out: Found = { evidence: [], missing: [] };
  for (const v of vs) {
    const f = fn(v, `${v.model.org}/${v.model.name}@${v.model.version}`);
    out.evidence.push(...f.evidence);
    out.missing.push(...f.missing);
  }
  return out;
};

const live = (v: VersionSummary) => v.deployments.filter((d) => d.state === 'live' || d.state === 'shadow');
const ids = <T extends { evidence: string }>(xs: readonly T[]) => xs.map((x) => x.evidence);

/** Art. 9 — risk management: scored at registration, approved against the tier's rule, under a contract. */
const art9: Rule = (vs) =>
  each(vs, (v, n) => ({
    evidence: [...(v.registered === null ? [] : [v.registered.evidence]), ...ids(v.approvals), ...ids(v.contracts)],
    missing: [
      ...(v.registered === null ? [`${n}: no registration (risk score) in the report`] : []),
      ...(v.approvals.some((a) => a.decision === 'approve') ? [] : [`${n}: no approval`]),
      ...(v.contracts.length === 0 ? [`${n}: no contract (no terms of use)`] : []),
    ],
  }));

/** Art. 12 — record-keeping: every org that runs it logs its decisions (signed counts in a witnessed log). */
const art12: Rule = (vs) =>
  each(vs, (v, n) => ({
    evidence: v.counts.byOrg.map((c) => c.evidence),
    missing: live(v)
      .filter((d) => !v.counts.byOrg.some((c) => c.org === d.org))
      .map((d) => `${n}: no signed decision counts from ${d.org}, which runs it`),
  }));

/** Art. 14 — human oversight: named people approved it; a kill switch people can pull. */
const art14: Rule = (vs) =>
  each(vs, (v, n) => ({
    evidence: [...ids(v.approvals), ...ids(v.killSwitch.records)],
    missing: v.approvals.length === 0 ? [`${n}: no decision by a named person (approval or rejection)`] : [],
  }));

/** Art. 72 — post-market monitoring: the contract requires monitors and the orgs running it measure. */
const art72: Rule = (vs) =>
  each(vs, (v, n) => {
    const measured = new Set(v.monitoring.series.map((s) => s.org));
    const monitors = v.contracts.at(-1)?.monitors ?? 0;
    return {
      evidence: v.monitoring.series.flatMap((s) => s.points.map((p) => p.evidence)),
      missing: [
        ...(monitors === 0 ? [`${n}: its contract requires no monitors`] : []),
        ...(monitors === 0
          ? []
          : live(v)
              .filter((d) => !measured.has(d.org))
              .map((d) => `${n}: no monitoring window from ${d.org}, which runs it`)),
      ],
    };
  });

/** Art. 73 — serious incidents: breaches are on record, and each was followed by a kill-switch record. */
const art73: Rule = (vs) =>
  each(vs, (v, n) => {
    const breaches = v.monitoring.series.flatMap((s) => s.points.filter((p) => p.breach));
    const after = (t: string) => v.killSwitch.records.some((r) => r.issuedAt >= t);
    return {
      evidence: [...breaches.map((p) => p.evidence), ...ids(v.killSwitch.records)],
      missing: breaches
        .filter((p) => !after(p.to))
        .map((p) => `${n}: breach ${p.evidence} not followed by a kill-switch record`),
    };
  });

/** MANAGE 2.4 — mechanisms to supersede, disengage or deactivate: the kill switch, pulled or armed by a monitor. */
const manage24: Rule = (vs) =>
  each(vs, (v, n) => ({
    evidence: [...ids(v.killSwitch.records), ...ids(v.contracts)],
    missing:
      v.killSwitch.records.length === 0 && v.contracts.length === 0
        ? [`${n}: neither a kill-switch record nor a contract whose monitors can suspend it`]
        : [],
  }));

/** ISO/IEC 42001 A.6 — AI system life cycle: registered, approved, deployed by record, operated and monitored. */
const a6: Rule = (vs) =>
  each(vs, (v, n) => ({
    evidence: [
      ...(v.registered === null ? [] : [v.registered.evidence]),
      ...ids(v.contracts),
      ...v.deployments.flatMap((d) => d.evidence),
      ...v.counts.byOrg.map((c) => c.evidence),
    ],
    missing: [
      ...(v.deployments.length === 0 ? [`${n}: no deployment record`] : []),
      ...(v.counts.byOrg.length === 0 ? [`${n}: no decision counts`] : []),
    ],
  }));

const CONTROLS: readonly [Omit<Control, 'status' | 'evidence' | 'missing'>, Rule][] = [
  [{ id: 'eu-ai-act-art-9', framework: 'EU AI Act', title: 'Art. 9 Risk management system' }, art9],
  [{ id: 'eu-ai-act-art-12', framework: 'EU AI Act', title: 'Art. 12 Record-keeping' }, art12],
  [{ id: 'eu-ai-act-art-14', framework: 'EU AI Act', title: 'Art. 14 Human oversight' }, art14],
  [{ id: 'eu-ai-act-art-72', framework: 'EU AI Act', title: 'Art. 72 Post-market monitoring' }, art72],
  [{ id: 'eu-ai-act-art-73', framework: 'EU AI Act', title: 'Art. 73 Reporting of serious incidents' }, art73],
  [
    {
      id: 'nist-ai-rmf-manage-2.4',
      framework: 'NIST AI RMF 1.0',
      title: 'MANAGE 2.4 Supersede, disengage or deactivate',
    },
    manage24,
  ],
  [{ id: 'iso-42001-a.6', framework: 'ISO/IEC 42001:2023', title: 'Annex A.6 AI system life cycle' }, a6],
];

/** The controls of a summary (see the top). Evidence ids sorted and distinct. */
export function controlsOf(summary: ReportSummary): Control[] {
  return CONTROLS.map(([c, rule]) => {
    const f = rule(summary.versions, summary);
    const evidence = [...new Set(f.evidence)].sort();
    const status = evidence.length === 0 ? 'missing' : f.missing.length === 0 ? 'supported' : 'partial';
    return { ...c, status, evidence, missing: f.missing };
  });
}
