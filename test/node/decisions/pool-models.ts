/**
 * The models the ingest pool test resolves (test/node/decisions/pool.test.ts): m1@1 live under a contract
 * with every kind of monitor, m2@1 in shadow mode and suspended, m3@1 pending with a shadow-AI monitor,
 * anything else unknown.
 */
import type { ResolvedModel } from '../../../node/registry/model-book.ts';
import type { RequiredMonitor } from '../../../protocol/registry/contract-terms.ts';

const every = { threshold: 0.5, window: { decisions: 10 }, onBreach: 'flag' } as const;
const MONITORS: RequiredMonitor[] = [
  { ...every, metric: 'psi', field: 'output.score' },
  {
    ...every,
    metric: 'disparate_impact_ratio',
    groupField: 'context.purpose',
    positive: 'decision.output.score > 0.5',
  },
  { ...every, metric: 'denial_rate' },
  { ...every, metric: 'contract_violation_rate' },
  { ...every, metric: 'shadow_ai_rate' },
];
const base = { org: 'acme', name: 'm', digest: `sha256:${'ab'.repeat(32)}`, tier: 'high' };
const MODELS: Record<string, ResolvedModel> = {
  'm1@1': {
    ...base,
    known: true,
    version: '1',
    status: 'approved',
    deployed: 'live',
    contract: {
      id: 'c1',
      version: 1,
      terms: {
        allowedJurisdictions: ['DE'],
        allowedPurposes: ['credit'],
        maxRevocationStaleness: 60,
        requiredMonitors: MONITORS,
      },
    },
  },
  'm2@1': {
    ...base,
    known: true,
    version: '1',
    status: 'approved',
    deployed: 'shadow',
    stopped: { state: 'suspended', reason: 'bias', by: ['alice'] },
  },
  'm3@1': {
    ...base,
    known: true,
    version: '1',
    status: 'pending',
    tier: 'minimal',
    contract: { id: 'c3', version: 1, terms: { requiredMonitors: [MONITORS[4] as RequiredMonitor] } },
  },
};
export const resolve = (ref: string): ResolvedModel =>
  MODELS[ref] ?? { known: false, org: '', name: ref, version: '', digest: '', status: 'unknown', tier: '' };
