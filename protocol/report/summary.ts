/**
 * The report's summary: a pure function of the evidence (verified records) and the report's time, so
 * that the verifier recomputes it and any changed number fails (verify.ts step 7). Per version of the
 * model: where it is deployed and since when, under which contract, the approvals and risk score, the
 * decision counts, denials and flags by kind (the sum of every org's signed model-counts statement), the
 * monitoring windows and breaches, and the kill switch's records and state.
 */

import type { MonitorWindow } from '../monitoring/statement.ts';
import type { ApprovalPredicate } from '../registry/approval.ts';
import type { ContractPredicate } from '../registry/contract.ts';
import type { Deployment } from '../registry/deployment.ts';
import type { ModelRef } from '../registry/model-ref.ts';
import type { RegistrationPredicate } from '../registry/registration.ts';
import type { RevocationPredicate } from '../registry/revocation.ts';
import { type KillRule, type KillState, killStatus } from '../registry/revocation-status.ts';
import { addTallies, type ModelCounts, type Tally } from './counts.ts';

/** One piece of evidence once verified: its id, maker org and what its record says. */
export type OpenedEvidence = { id: string; org: string } & (
  | { kind: 'registration'; predicate: RegistrationPredicate }
  | { kind: 'approval'; predicate: ApprovalPredicate }
  | { kind: 'contract'; predicate: ContractPredicate; contractId: string }
  | { kind: 'revocation'; predicate: RevocationPredicate; keyid: string; recordId: string }
  | { kind: 'deployment'; record: Deployment }
  | { kind: 'window'; window: MonitorWindow }
  | { kind: 'counts'; counts: ModelCounts }
);

export interface DeploymentState {
  org: string;
  /** live or shadow: runs it; undeployed: ran it, no longer; refused: its node refused to deploy it. */
  state: 'live' | 'shadow' | 'undeployed' | 'refused';
  since: string;
  contract?: string;
  evidence: string[];
}

export interface OrgCounts extends Tally {
  org: string;
  through: number;
  evidence: string;
}

export interface MonitorSeries {
  org: string;
  monitor: number;
  metric: string;
  shadow: boolean;
  threshold: number;
  /** Oldest first: [to, value, breach] of each window. */
  points: { to: string; value: number | null; breach: boolean; decisions: number; evidence: string }[];
}

export interface VersionSummary {
  model: ModelRef;
  digest: string;
  registered: { at: string; by: string; evidence: string } | null;
  risk: { score: number; tier: string } | null;
  contracts: { version: number; issuedAt: string; monitors: number; evidence: string }[];
  approvals: { org: string; name: string; role: string; decision: string; issuedAt: string; evidence: string }[];
  deployments: DeploymentState[];
  counts: { total: Tally; byOrg: OrgCounts[] };
  monitoring: { windows: number; breaches: number; series: MonitorSeries[] };
  killSwitch: {
    state: KillState;
    records: { action: string; by: string; issuedAt: string; reason: string; evidence: string }[];
  };
}

export interface ReportSummary {
  versions: VersionSummary[];
  /** Every version's counts added up. */
  total: Tally;
  /** Orgs that run some version (live or shadow). */
  deployedIn: string[];
}

const keyOf = (m: ModelRef) => `${m.org}/${m.name}@${m.version}`;
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function deploymentsOf(records: { id: string; record: Deployment }[]): DeploymentState[] {
  const byOrg = new Map<string, { id: string; record: Deployment }[]>();
  for (const r of records) byOrg.set(r.record.org, [...(byOrg.get(r.record.org) ?? []), r]);
  const out: DeploymentState[] = [];
  for (const [org, list] of byOrg) {
    list.sort((a, b) => a.record.seq - b.record.seq);
    const effective = list.filter((r) => r.record.action !== 'refused');
    const last = effective.at(-1) ?? (list.at(-1) as { id: string; record: Deployment });
    const d = last.record;
    const state =
      d.action === 'refused' ? 'refused' : d.action === 'undeploy' ? 'undeployed' : d.shadow ? 'shadow' : 'live';
    out.push({
      org,
      state,
      since: d.time,
      ...(d.contract === undefined ? {} : { contract: d.contract }),
      evidence: list.map((r) => r.id),
    });
  }
  return out.sort((a, b) => byString(a.org, b.org));
}

function seriesOf(windows: { id: string; window: MonitorWindow }[]): MonitorSeries[] {
  const map = new Map<string, MonitorSeries>();
  const sorted = [...windows].sort(
    (a, b) =>
      byString(a.window.org, b.window.org) ||
      a.window.monitor - b.window.monitor ||
      Number(a.window.shadow) - Number(b.window.shadow) ||
      a.window.seq - b.window.seq,
  );
  for (const { id, window: w } of sorted) {
    const key = `${w.org}\n${w.contract}\n${w.monitor}\n${w.shadow}`;
    let s = map.get(key);
    if (s === undefined) {
      s = { org: w.org, monitor: w.monitor, metric: w.metric, shadow: w.shadow, threshold: w.threshold, points: [] };
      map.set(key, s);
    }
    s.points.push({ to: w.to, value: w.value, breach: w.breach, decisions: w.decisions, evidence: id });
  }
  return [...map.values()];
}

/** The summary of the evidence (see the top); `rule` is the charter's kill-switch rule, `at` the report's time. */
export function summarize(
  versions: readonly { model: ModelRef; digest: string }[],
  evidence: readonly OpenedEvidence[],
  rule: KillRule,
  at: string,
): ReportSummary {
  const out: VersionSummary[] = [];
  for (const v of versions) {
    const key = keyOf(v.model);
    const mine = evidence.filter((e) => {
      switch (e.kind) {
        case 'deployment':
          return keyOf(e.record.model) === key;
        case 'window':
          return keyOf(e.window.model) === key;
        case 'counts':
          return keyOf(e.counts.model) === key;
        default:
          return keyOf(e.predicate.model) === key;
      }
    });
    const reg = mine.find((e) => e.kind === 'registration');
    const byOrg: OrgCounts[] = [];
    const windows: { id: string; window: MonitorWindow }[] = [];
    const deployments: { id: string; record: Deployment }[] = [];
    const kill: VersionSummary['killSwitch']['records'] = [];
    const killRecords: Parameters<typeof killStatus>[0][number][] = [];
    const approvals: VersionSummary['approvals'] = [];
    const contracts: VersionSummary['contracts'] = [];
    for (const e of mine) {
      if (e.kind === 'counts') {
        const { decisions, denied, flags, deny, through } = e.counts;
        byOrg.push({ org: e.counts.org, decisions, denied, flags, deny, through, evidence: e.id });
      } else if (e.kind === 'window') windows.push({ id: e.id, window: e.window });
      else if (e.kind === 'deployment') deployments.push({ id: e.id, record: e.record });
      else if (e.kind === 'approval') {
        const p = e.predicate;
        approvals.push({ ...p.approver, decision: p.decision, issuedAt: p.issuedAt, evidence: e.id });
      } else if (e.kind === 'contract') {
        const p = e.predicate;
        contracts.push({
          version: p.version,
          issuedAt: p.issuedAt,
          monitors: p.terms.requiredMonitors?.length ?? 0,
          evidence: e.id,
        });
      } else if (e.kind === 'revocation') {
        const p = e.predicate;
        const by = `${p.signer.org}/${p.signer.name}`;
        kill.push({ action: p.action, by, issuedAt: p.issuedAt, reason: p.reason, evidence: e.id });
        killRecords.push({
          id: e.recordId,
          action: p.action,
          keyid: e.keyid,
          signer: by,
          issuedAt: p.issuedAt,
          reason: p.reason,
        });
      }
    }
    byOrg.sort((a, b) => byString(a.org, b.org));
    approvals.sort((a, b) => byString(a.issuedAt, b.issuedAt) || byString(a.evidence, b.evidence));
    contracts.sort((a, b) => a.version - b.version);
    kill.sort((a, b) => byString(a.issuedAt, b.issuedAt) || byString(a.evidence, b.evidence));
    const series = seriesOf(windows);
    out.push({
      model: v.model,
      digest: v.digest,
      registered:
        reg?.kind === 'registration'
          ? { at: reg.predicate.registeredAt, by: `${reg.org}/${reg.predicate.submitter.name}`, evidence: reg.id }
          : null,
      risk: reg?.kind === 'registration' ? { score: reg.predicate.risk.score, tier: reg.predicate.risk.tier } : null,
      contracts,
      approvals,
      deployments: deploymentsOf(deployments),
      counts: { total: addTallies(byOrg), byOrg },
      monitoring: {
        windows: windows.length,
        breaches: windows.filter((w) => w.window.breach).length,
        series,
      },
      killSwitch: { state: killStatus(killRecords, rule, Date.parse(at)).state, records: kill },
    });
  }
  const deployedIn = new Set<string>();
  for (const v of out)
    for (const d of v.deployments) if (d.state === 'live' || d.state === 'shadow') deployedIn.add(d.org);
  return {
    versions: out,
    total: addTallies(out.map((v) => v.counts.total)),
    deployedIn: [...deployedIn].sort(byString),
  };
}
