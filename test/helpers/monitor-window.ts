/**
 * One monitoring window and what it refers to, for the unit tests of the window statement
 * (test/protocol/monitoring/statement.test.ts) and of its sync (test/node/monitoring/window-sync.test.ts):
 * us's psi window of eu/fraud@1.0.0 under CONTRACT, 100 decisions, 90/10 against a 50/50 baseline.
 */
import { psi } from '../../protocol/monitoring/psi.ts';
import type { MonitorWindow } from '../../protocol/monitoring/statement.ts';

export const FED = 'cd'.repeat(32);
export const US_SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
export const EU_SEED = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);
export const DIGEST = `sha256:${'ab'.repeat(32)}`;
export const CONTRACT = `sha256:${'cd'.repeat(32)}`;
export const BASELINE = { fields: { 'output.score': { edges: [0.5], proportions: [0.5, 0.5] } } };

export const WINDOW: Omit<MonitorWindow, 'type'> = {
  federation: FED,
  org: 'us',
  model: { org: 'eu', name: 'fraud', version: '1.0.0' },
  digest: DIGEST,
  contract: CONTRACT,
  monitor: 0,
  metric: 'psi',
  seq: 1,
  from: '2027-01-01T00:00:00Z',
  to: '2027-01-01T00:01:00Z',
  decisions: 100,
  shadow: false,
  counts: { bins: [90, 10], missing: 0 },
  value: psi([0.5, 0.5], [90, 10]),
  threshold: 0.25,
  breach: true,
};
