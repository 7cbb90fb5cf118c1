/** Opened evidence (what verification step 6 gives) for the summary and controls unit tests. */
import type { Deployment } from '../../../protocol/registry/deployment.ts';
import type { OpenedEvidence } from '../../../protocol/report/summary.ts';

export const MODEL = { org: 'eu', name: 'fraud', version: '1' };
export const DIGEST = `sha256:${'ab'.repeat(32)}`;
export const RULE = { threshold: 2, suspensionTtlMs: 24 * 3600_000 };
export const AT = '2027-01-10T00:00:00Z';

let seq = 0;
export function dep(
  org: string,
  n: number,
  action: Deployment['action'],
  shadow = false,
  time = `2027-01-0${n}T00:00:00Z`,
): OpenedEvidence {
  const record: Deployment = {
    type: 'govfed.deployment/v1',
    federation: 'f'.repeat(64),
    org,
    seq: n,
    previous: n === 1 ? null : `sha256:${'00'.repeat(32)}`,
    model: MODEL,
    digest: DIGEST,
    action,
    shadow,
    time,
    ...(action === 'refused' ? { reasons: ['no'] } : {}),
  };
  return { id: `e${++seq}`, org, kind: 'deployment', record };
}

export function counts(
  org: string,
  decisions: number,
  denied: number,
  flags: Record<string, number> = {},
): OpenedEvidence {
  return {
    id: `e${++seq}`,
    org,
    kind: 'counts',
    counts: {
      type: 'govfed.model-counts/v1',
      federation: 'f'.repeat(64),
      org,
      model: MODEL,
      digest: DIGEST,
      through: 100,
      decisions,
      denied,
      flags,
      deny: denied > 0 ? { 'contract.purpose': denied } : {},
      time: '2027-01-09T00:00:00Z',
    },
  };
}

export function suspension(org: string, issuedAt: string): OpenedEvidence {
  return {
    id: `e${++seq}`,
    org,
    kind: 'revocation',
    keyid: `key-${org}`,
    recordId: `id-${seq}`,
    predicate: {
      federation: 'f'.repeat(64),
      model: MODEL,
      action: 'suspend',
      reason: 'drift',
      signer: { org, name: 'rita', role: 'risk_officer' },
      issuedAt,
    },
  };
}
