import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REVOCATION_THRESHOLD,
  DEFAULT_SUSPENSION_TTL_S,
  type KillRecord,
  killRuleOf,
  killStatus,
} from '../../../protocol/registry/revocation-status.ts';

const RULE = { threshold: 2, suspensionTtlMs: 60_000 };
const T0 = Date.parse('2027-01-01T00:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
let n = 0;
const rec = (action: KillRecord['action'], who: string, s: number): KillRecord => ({
  id: (n++).toString(16).padStart(64, '0'),
  action,
  keyid: `key-${who}`,
  signer: `org/${who}`,
  issuedAt: at(s),
  reason: `${action} by ${who}`,
});

describe('killStatus', () => {
  it('is active without records', () => {
    expect(killStatus([], RULE, T0)).toEqual({ state: 'active', by: [] });
  });

  it('suspends at once on one officer, until the TTL, then lapses', () => {
    const r = [rec('suspend', 'rita', 0)];
    expect(killStatus(r, RULE, T0 + 1000)).toMatchObject({
      state: 'suspended',
      since: at(0),
      until: at(60),
      ratified: false,
      by: ['org/rita'],
      reason: 'suspend by rita',
    });
    expect(killStatus(r, RULE, T0 + 59_999).state).toBe('suspended');
    expect(killStatus(r, RULE, T0 + 60_000)).toEqual({ state: 'active', by: [], lapsedAt: at(60) });
  });

  it('counts the TTL from the newest suspension', () => {
    const r = [rec('suspend', 'rita', 0), rec('suspend', 'rita', 50)];
    expect(killStatus(r, RULE, T0 + 100_000)).toMatchObject({ state: 'suspended', until: at(110) });
  });

  it('is ratified (no lapse) by the threshold of distinct officers', () => {
    const r = [rec('suspend', 'rita', 0), rec('suspend', 'sam', 10)];
    const s = killStatus(r, RULE, T0 + 10 * 86_400_000);
    expect(s).toMatchObject({ state: 'suspended', ratified: true, since: at(0) });
    expect(s.until).toBeUndefined();
    expect(s.by.sort()).toEqual(['org/rita', 'org/sam']);
  });

  it('revokes only at the threshold of distinct officers; one revoke vote suspends', () => {
    const one = [rec('revoke', 'rita', 0)];
    expect(killStatus(one, RULE, T0 + 1000)).toMatchObject({ state: 'suspended', ratified: false });
    const twice = [...one, rec('revoke', 'rita', 5)];
    expect(killStatus(twice, RULE, T0 + 6000).state).toBe('suspended');
    const two = [...one, rec('revoke', 'sam', 7)];
    expect(killStatus(two, RULE, T0 + 10 * 86_400_000)).toMatchObject({ state: 'revoked', since: at(7) });
  });

  it('forgets everything before the newest reinstatement, in any order of arrival', () => {
    const r = [
      rec('revoke', 'sam', 7),
      rec('reinstate', 'rita', 20),
      rec('revoke', 'rita', 0),
      rec('suspend', 'x', 30),
    ];
    expect(killStatus(r, RULE, T0 + 31_000)).toMatchObject({
      state: 'suspended',
      since: at(30),
      by: ['org/x'],
      reinstatedAt: at(20),
    });
    expect(killStatus(r.slice(0, 3), RULE, T0 + 31_000)).toEqual({ state: 'active', by: [], reinstatedAt: at(20) });
  });

  it('orders records of the same time by id, the same on every node', () => {
    const a = rec('revoke', 'rita', 0);
    const b = { ...rec('reinstate', 'sam', 0), id: 'f'.repeat(64) };
    expect(killStatus([b, a], RULE, T0).state).toBe('active');
    expect(killStatus([a, b], RULE, T0).state).toBe('active');
  });
});

describe('killRuleOf', () => {
  it('reads the charter thresholds, with defaults', () => {
    expect(killRuleOf(undefined)).toEqual({
      threshold: DEFAULT_REVOCATION_THRESHOLD,
      suspensionTtlMs: DEFAULT_SUSPENSION_TTL_S * 1000,
    });
    expect(killRuleOf({ thresholds: { revocation: 3, suspensionTtl: 15 } })).toEqual({
      threshold: 3,
      suspensionTtlMs: 15_000,
    });
  });
});

describe('revocation freshness', async () => {
  const m = await import('../../../protocol/registry/revocation-freshness.ts');
  it('states a set by count and a digest independent of order', () => {
    expect(m.revocationStateOf(['b', 'a'])).toEqual(m.revocationStateOf(['a', 'b']));
    expect(m.revocationStateOf([]).count).toBe(0);
  });
  it('checks a stated state strictly', () => {
    expect(() => m.checkRevocationState({ count: 1, digest: 'x' })).toThrow('digest');
    expect(() => m.checkRevocationState({ count: -1, digest: m.revocationStateOf([]).digest })).toThrow('count');
    expect(() => m.checkRevocationState({ ...m.revocationStateOf([]), extra: 1 })).toThrow('extra');
  });
  it('takes the majority-th freshest confirmation as the age', () => {
    expect(m.revocationAgeMs(100, 1, [])).toBe(0);
    expect(m.revocationAgeMs(100, 2, [])).toBe(Number.POSITIVE_INFINITY);
    expect(m.revocationAgeMs(100, 3, [90, 40, 70])).toBe(30);
  });
});
