/**
 * A version's status across orgs at a glance, from its summary (summary.ts): one row per org that
 * deployed it or counted decisions of it — its deployment state and since when, its decisions, denials
 * and flags by kind (its signed counts statement), and how many of its monitoring windows breached. What
 * the CLI's HTML page (cli/report-html.ts) and the console's report view (console/pages/model-report.tsx)
 * both show; a pure function of the summary, so both show the same thing.
 */
import type { DeploymentState, VersionSummary } from './summary.ts';

export interface OrgStatus {
  org: string;
  /** The org's deployment state; 'undeployed' when it has no deployment record (only counts). */
  deployment: DeploymentState['state'];
  since: string | null;
  decisions: number;
  denied: number;
  flags: Record<string, number>;
  breaches: number;
}

/** Every org of `v`, sorted by name. */
export function statusAcrossOrgs(v: VersionSummary): OrgStatus[] {
  const orgs = [...new Set([...v.deployments.map((d) => d.org), ...v.counts.byOrg.map((c) => c.org)])].sort();
  return orgs.map((org) => {
    const d = v.deployments.find((x) => x.org === org);
    const c = v.counts.byOrg.find((x) => x.org === org);
    const breaches = v.monitoring.series
      .filter((s) => s.org === org)
      .flatMap((s) => s.points.filter((p) => p.breach)).length;
    return {
      org,
      deployment: d?.state ?? 'undeployed',
      since: d?.since ?? null,
      decisions: c?.decisions ?? 0,
      denied: c?.denied ?? 0,
      flags: { ...(c?.flags ?? {}) },
      breaches,
    };
  });
}
