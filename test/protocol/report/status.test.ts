import { describe, expect, it } from 'vitest';
import { statusAcrossOrgs } from '../../../protocol/report/status.ts';
import { makeReport, TALLIES } from './fixtures.ts';

const report = await makeReport();

describe('statusAcrossOrgs', () => {
  describe('when every org deployed the version and counted its decisions', () => {
    it('gives one row per org, sorted, with its deployment and its signed counts', () => {
      const v = report.summary.versions[0];
      if (v === undefined) throw new Error('no version');
      const rows = statusAcrossOrgs(v);
      expect(rows.map((r) => r.org)).toEqual(['apac', 'eu', 'us']);
      const eu = rows.find((r) => r.org === 'eu');
      expect(eu).toMatchObject({ deployment: 'live', decisions: TALLIES[0]?.decisions, denied: TALLIES[0]?.denied });
      expect(rows.find((r) => r.org === 'us')?.flags).toEqual({ shadow_ai: 3 });
      expect(rows.every((r) => r.breaches === 0 && r.since !== null)).toBe(true);
    });
  });

  describe('when an org counted decisions but has no deployment record', () => {
    it('shows it undeployed, with its counts', () => {
      const v = structuredClone(report.summary.versions[0]);
      if (v === undefined) throw new Error('no version');
      v.deployments = v.deployments.filter((d) => d.org !== 'us');
      const us = statusAcrossOrgs(v).find((r) => r.org === 'us');
      expect(us).toMatchObject({ deployment: 'undeployed', since: null, decisions: TALLIES[1]?.decisions });
    });
  });
});
