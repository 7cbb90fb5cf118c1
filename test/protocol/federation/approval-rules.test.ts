import { describe, expect, it } from 'vitest';
import { checkApprovalRules, withApprovalRule } from '../../../protocol/federation/approval-rules.ts';
import { checkCharter, decodeCharter, encodeCharter, nextCharter } from '../../../protocol/federation/charter.ts';
import { charterDigest } from '../../../protocol/federation/index.ts';
import { makeGenesis, T0 } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('checkApprovalRules', () => {
  describe('when the rules are well-formed', () => {
    it('returns a fresh copy, a role listed twice kept (two people)', () => {
      const v = {
        high: { roles: ['risk_officer', 'legal'], orgs: 2 },
        medium: { roles: ['risk_officer', 'risk_officer'], orgs: 1 },
      };
      const r = checkApprovalRules(v);
      expect(r).toEqual(v);
      expect(r.high).not.toBe(v.high);
    });
  });
  describe('when a rule is malformed', () => {
    it.each([
      ['an unknown tier', { extreme: { roles: ['legal'], orgs: 1 } }],
      ['no roles', { high: { roles: [], orgs: 1 } }],
      ['nine roles', { high: { roles: Array(9).fill('legal'), orgs: 1 } }],
      ['a bad role name', { high: { roles: ['Legal'], orgs: 1 } }],
      ['more orgs than approvals', { high: { roles: ['legal'], orgs: 2 } }],
      ['orgs 0', { high: { roles: ['legal'], orgs: 0 } }],
      ['orgs 1.5', { high: { roles: ['legal', 'security'], orgs: 1.5 } }],
      ['an unknown field', { high: { roles: ['legal'], orgs: 1, by: 'x' } }],
      ['no orgs', { high: { roles: ['legal'] } }],
      ['not an object', []],
    ])('throws ERR_MALFORMED_CHARTER for %s', (_, v) => {
      expect(() => checkApprovalRules(v)).toThrow(code('ERR_MALFORMED_CHARTER'));
    });
  });
});

describe('a charter with approval rules', () => {
  const g = makeGenesis([0, 1]);
  describe('when set by nextCharter', () => {
    it('is carried to later versions and survives encode/decode', () => {
      const v2 = nextCharter(g, { createdAt: T0, approvals: { high: { roles: ['risk_officer', 'legal'], orgs: 2 } } });
      const v3 = nextCharter(v2, { createdAt: T0, name: 'Renamed' });
      expect(v3.approvals).toEqual({ high: { roles: ['risk_officer', 'legal'], orgs: 2 } });
      expect(decodeCharter(encodeCharter(v3))).toEqual(v3);
    });
  });
  describe('when the last rule is removed', () => {
    it('has no approvals field: the bytes of a charter that never had one', () => {
      const v2 = nextCharter(g, { createdAt: T0, approvals: { low: { roles: ['model_owner'], orgs: 1 } } });
      const v3 = nextCharter(v2, { createdAt: T0, approvals: withApprovalRule(v2.approvals, 'low', null) });
      expect('approvals' in v3).toBe(false);
      const plain = nextCharter(v2, { createdAt: T0 });
      expect(charterDigest(v3)).not.toBe(charterDigest(plain));
      expect('approvals' in plain).toBe(true);
    });
  });
  describe('when a charter carries an empty approvals object', () => {
    it('is malformed (one encoding per charter: no rules means no field)', () => {
      expect(() => checkCharter({ ...g, approvals: {} })).toThrow(code('ERR_MALFORMED_CHARTER'));
    });
  });
  describe('when a charter made before approval rules is checked', () => {
    it('keeps its bytes and digest', () => {
      expect(encodeCharter(checkCharter(g))).toEqual(encodeCharter(g));
      expect('approvals' in checkCharter(g)).toBe(false);
    });
  });
});
