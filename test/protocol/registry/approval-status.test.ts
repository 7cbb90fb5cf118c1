import { describe, expect, it } from 'vitest';
import { approvalStatus, countedVotes, type Vote } from '../../../protocol/registry/approval-status.ts';

let n = 0;
function vote(
  org: string,
  role: string,
  decision: 'approve' | 'reject' = 'approve',
  who?: string,
  issuedAt = '2026-01-01T00:00:00Z',
): Vote {
  n += 1;
  const name = who ?? `${org}-${role}-${n}`;
  return { keyid: `k-${name}`, org, name, role, decision, issuedAt, id: `id-${n}` };
}

const HIGH = { roles: ['risk_officer', 'legal'], orgs: 2 };

describe('approvalStatus', () => {
  describe('when the tier has no rule', () => {
    it('is approved without votes, and rejected by any rejection', () => {
      expect(approvalStatus(undefined, []).status).toBe('approved');
      expect(approvalStatus(undefined, [vote('us', 'security', 'reject')]).status).toBe('rejected');
    });
  });
  describe('when one risk_officer and one legal of two orgs approve (high: both roles, 2 orgs)', () => {
    it('is approved', () => {
      const s = approvalStatus(HIGH, [vote('eu', 'risk_officer'), vote('us', 'legal')]);
      expect(s.status).toBe('approved');
      expect(s.orgs).toEqual({ have: 2, need: 2 });
    });
  });
  describe('when both roles approve from one org only', () => {
    it('is pending: the orgs are missing, not the roles', () => {
      const s = approvalStatus(HIGH, [vote('eu', 'risk_officer'), vote('eu', 'legal')]);
      expect(s).toMatchObject({ status: 'pending', missingRoles: [], orgs: { have: 1, need: 2 } });
    });
  });
  describe('when the wrong roles approve, from many orgs', () => {
    it('is pending and names the missing role', () => {
      const s = approvalStatus(HIGH, [vote('eu', 'risk_officer'), vote('us', 'security'), vote('jp', 'auditor')]);
      expect(s).toMatchObject({ status: 'pending', missingRoles: ['legal'] });
    });
  });
  describe('when a greedy choice would miss the orgs but a matching finds them', () => {
    it('is approved (eu has both roles, us only risk_officer: legal from eu, risk_officer from us)', () => {
      const s = approvalStatus(HIGH, [vote('eu', 'risk_officer'), vote('eu', 'legal'), vote('us', 'risk_officer')]);
      expect(s.status).toBe('approved');
    });
  });
  describe('when a role is listed twice', () => {
    it('needs two people holding it', () => {
      const rule = { roles: ['risk_officer', 'risk_officer'], orgs: 1 };
      expect(approvalStatus(rule, [vote('eu', 'risk_officer')]).missingRoles).toEqual(['risk_officer']);
      expect(approvalStatus(rule, [vote('eu', 'risk_officer'), vote('eu', 'risk_officer')]).status).toBe('approved');
    });
  });
  describe('when one person votes twice', () => {
    it('counts their newest vote only: an approval then a rejection is a rejection', () => {
      const a = vote('eu', 'risk_officer', 'approve', 'alice', '2026-01-01T00:00:00Z');
      const b = vote('eu', 'risk_officer', 'reject', 'alice', '2026-01-02T00:00:00Z');
      expect(countedVotes([b, a])).toEqual([b]);
      expect(approvalStatus(HIGH, [a, b, vote('us', 'legal')]).status).toBe('rejected');
      // and the same person approving twice is one approval
      const twice = [vote('eu', 'risk_officer', 'approve', 'bob'), vote('eu', 'risk_officer', 'approve', 'bob')];
      expect(approvalStatus({ roles: ['risk_officer', 'risk_officer'], orgs: 1 }, twice).status).toBe('pending');
    });
  });
  describe('when someone whose role the rule does not list rejects', () => {
    it('does not decide: the rule names who decides', () => {
      const s = approvalStatus(HIGH, [
        vote('eu', 'risk_officer'),
        vote('us', 'legal'),
        vote('jp', 'auditor', 'reject'),
      ]);
      expect(s.status).toBe('approved');
    });
  });
  describe('when the votes come in another order', () => {
    it('gives the same status and the same counted votes (every node computes the same)', () => {
      const votes = [vote('eu', 'risk_officer'), vote('us', 'legal'), vote('eu', 'legal'), vote('jp', 'security')];
      const a = approvalStatus(HIGH, votes);
      const b = approvalStatus(HIGH, [...votes].reverse());
      expect(b).toEqual(a);
    });
  });
});
