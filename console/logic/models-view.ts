/**
 * The models page's types (GET /v1/models, /v1/models/:name/:version, /v1/deployments) and what it
 * derives: a version's state for people (suspended and revoked before approval status) and which orgs
 * run it. Pure.
 */

export interface Kill {
  state: 'active' | 'suspended' | 'revoked';
  since?: string;
  until?: string;
  ratified?: boolean;
  by: string[];
  reason?: string;
}

export interface ModelSummary {
  org: string;
  name: string;
  version: string;
  digest: string;
  status: 'pending' | 'approved' | 'rejected';
  risk: { score: number; tier: string; hits: { rule: string; points: number }[]; policyVersion: number };
  euAiActCategory: string | null;
  submitter: { org?: string; name: string; role: string };
  registeredAt: string;
  contract: { version: number; id: string } | null;
  kill: Kill;
  approvals: { votes: number; counted: number; missingRoles: string[]; orgs: { have: number; need: number } };
}

export interface ModelDetail extends ModelSummary {
  contract:
    | (ModelSummary['contract'] & { terms: Record<string, unknown>; signer: { name: string; role: string } })
    | null;
  rule: { roles?: string[]; orgs?: number } | null;
  votes: {
    id: string;
    approver: { org?: string; name: string; role: string };
    decision: 'approve' | 'reject';
    issuedAt: string;
    counts: boolean;
    why?: string;
    reason?: string;
  }[];
  revocations: {
    id: string;
    action: string;
    signer: { org: string; name: string; role: string };
    reason: string;
    issuedAt: string;
  }[];
}

export interface Deployment {
  org: string;
  model: { org: string; name: string; version: string };
  digest: string;
  shadow: boolean;
  since: string;
}

export const modelKey = (m: { org: string; name: string; version: string }) => `${m.org}/${m.name}@${m.version}`;

/** The one word a person reads first: revoked, suspended, else the approval status. */
export function modelState(m: ModelSummary): { label: string; tone: 'ok' | 'warn' | 'bad' | 'info' } {
  if (m.kill.state === 'revoked') return { label: 'revoked', tone: 'bad' };
  if (m.kill.state === 'suspended') return { label: 'suspended', tone: 'bad' };
  if (m.status === 'approved') return { label: 'approved', tone: 'ok' };
  if (m.status === 'rejected') return { label: 'rejected', tone: 'bad' };
  return { label: 'pending approval', tone: 'warn' };
}

/** The orgs running each model version (`(shadow)` for shadow deployments), by modelKey. */
export function deploymentsByModel(list: readonly Deployment[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of list) {
    const k = modelKey(d.model);
    out.set(k, [...(out.get(k) ?? []), d.shadow ? `${d.org} (shadow)` : d.org]);
  }
  return out;
}
