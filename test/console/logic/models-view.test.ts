import { describe, expect, it } from 'vitest';
import { deploymentsByModel, type ModelSummary, modelState } from '../../../console/logic/models-view.ts';

const model = (status: ModelSummary['status'], kill: ModelSummary['kill']['state']) =>
  ({ status, kill: { state: kill, by: [] } }) as unknown as ModelSummary;

describe('modelState', () => {
  it('puts revoked and suspended before the approval status', () => {
    expect(modelState(model('approved', 'suspended'))).toEqual({ label: 'suspended', tone: 'bad' });
    expect(modelState(model('approved', 'revoked')).label).toBe('revoked');
    expect(modelState(model('approved', 'active'))).toEqual({ label: 'approved', tone: 'ok' });
    expect(modelState(model('pending', 'active')).label).toBe('pending approval');
    expect(modelState(model('rejected', 'active')).tone).toBe('bad');
  });
});

describe('deploymentsByModel', () => {
  it('lists the orgs that run each version, marking shadow deployments', () => {
    const m = { org: 'eu', name: 'f', version: '1' };
    const runs = deploymentsByModel([
      { org: 'us', model: m, digest: 'd', shadow: false, since: 't' },
      { org: 'apac', model: m, digest: 'd', shadow: true, since: 't' },
    ]);
    expect(runs.get('eu/f@1')).toEqual(['us', 'apac (shadow)']);
  });
});
