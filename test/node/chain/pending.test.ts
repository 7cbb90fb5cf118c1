import { describe, expect, it } from 'vitest';
import { PendingSet } from '../../../node/chain/pending.ts';
import { isGovfedError } from '../../../protocol/errors.ts';
import type { Envelope } from '../../../protocol/federation/index.ts';

const env = (version: number, signers: string[]): Envelope => ({
  payloadType: 'x',
  payload: Buffer.from(JSON.stringify({ version })).toString('base64'),
  signatures: signers.map((k) => ({ keyid: k, sig: 's' })),
});
const versionOf = (e: Envelope) =>
  (JSON.parse(Buffer.from(e.payload, 'base64').toString()) as { version: number }).version;
const D1 = `sha256:${'a1'.repeat(32)}`;
const D2 = `sha256:${'a2'.repeat(32)}`;
const D3 = `sha256:${'b3'.repeat(32)}`;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return isGovfedError(err) ? err.code : 'not coded';
  }
  return 'no error';
}

describe('PendingSet', () => {
  let now = 1_000_000;
  const set = (conflictIgnoresExpired = false) => {
    const s = new PendingSet({ self: 'me', versionOf, now: () => now, conflictIgnoresExpired });
    s.set(D1, { envelope: env(1, ['me']), expiresAt: new Date(now + 1000).toISOString() });
    s.set(D2, { envelope: env(1, ['other']), expiresAt: new Date(now + 1000).toISOString() });
    s.set(D3, { envelope: env(2, ['me']), expiresAt: new Date(now + 1000).toISOString() });
    return s;
  };

  describe('resolve', () => {
    it('takes a digest or a unique hex prefix, and names an ambiguous or unknown id ERR_NOT_FOUND', () => {
      const s = set();
      expect(s.resolve(D3, 'pending x')).toBe(s.get(D3));
      expect(s.resolve('b3b3', 'pending x')).toBe(s.get(D3));
      expect(codeOf(() => s.resolve('a', 'pending x'))).toBe('ERR_NOT_FOUND');
      expect(codeOf(() => s.resolve('ff', 'pending x'))).toBe('ERR_NOT_FOUND');
      expect(codeOf(() => s.resolve('sha256:', 'pending x'))).toBe('ERR_NOT_FOUND'); // an empty prefix names nothing
    });

    it('says when the id names a version already applied, not pending', () => {
      const s = set();
      const D9 = `sha256:${'c9'.repeat(32)}`;
      const applied = [
        { version: 1, digest: `sha256:${'c1'.repeat(32)}` },
        { version: 2, digest: D9 },
      ];
      const message = (id: string) => {
        try {
          s.resolve(id, 'pending policy proposal', () => applied);
        } catch (err) {
          return isGovfedError(err) ? `${err.code}: ${err.message}` : 'not coded';
        }
        return 'no error';
      };
      expect(message(D9)).toBe(
        `ERR_NOT_FOUND: no pending policy proposal ${D9}: it was applied as version 2 (it had every signature it needed)`,
      );
      expect(message('c9c9')).toContain('it was applied as version 2');
      expect(message('ff')).toBe('ERR_NOT_FOUND: no pending policy proposal ff');
      // a pending match wins: D3 is pending, whatever is applied
      expect(s.resolve(D3, 'pending x', () => [{ version: 7, digest: D3 }])).toBe(s.get(D3));
    });
  });

  describe('assertNoConflict', () => {
    it('refuses a second object for a version this node signed, not one it did not sign or the same one', () => {
      const s = set();
      expect(codeOf(() => s.assertNoConflict(1, D2, () => 'm'))).toBe('ERR_PROPOSAL_PENDING');
      expect(codeOf(() => s.assertNoConflict(1, D1, () => 'm'))).toBe('no error');
      expect(codeOf(() => s.assertNoConflict(3, `sha256:${'c'.repeat(64)}`, () => 'm'))).toBe('no error');
    });

    it('lets an expired proposal stop blocking only when asked to (the charter rule)', () => {
      const strict = set(false);
      const lenient = set(true);
      now += 5000;
      expect(codeOf(() => strict.assertNoConflict(1, D2, () => 'm'))).toBe('ERR_PROPOSAL_PENDING');
      expect(codeOf(() => lenient.assertNoConflict(1, D2, () => 'm'))).toBe('no error');
    });
  });

  describe('trim and prune', () => {
    it('drops the oldest beyond the bound, and whatever prune refuses', () => {
      const s = set();
      s.trim(2);
      expect(s.ids()).toEqual([D2, D3]);
      expect(s.prune((p) => versionOf(p.envelope) > 1)).toBe(1);
      expect(s.ids()).toEqual([D3]);
    });
  });
});
