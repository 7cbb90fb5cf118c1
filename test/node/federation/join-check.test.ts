import { describe, expect, it } from 'vitest';
import { checkJoinJurisdiction } from '../../../node/federation/join-check.ts';

const invitee = { org: 'us', peerId: '12D3KooWRARowzzcmEe1ai4Qj9HpBHSo54WDKohf23xtBER5Ukd5', jurisdiction: 'US' };

describe('checkJoinJurisdiction', () => {
  describe('when the invite and the config agree', () => {
    it('passes', () => {
      expect(() => checkJoinJurisdiction(invitee, { jurisdiction: 'US' }, '/srv/us')).not.toThrow();
    });
  });
  describe('when they differ', () => {
    it('throws ERR_JURISDICTION_MISMATCH naming both values and the fix', () => {
      let err: unknown;
      try {
        checkJoinJurisdiction(invitee, { jurisdiction: 'ZZ' }, '/srv/us');
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'ERR_JURISDICTION_MISMATCH' });
      const message = (err as Error).message;
      expect(message).toContain('jurisdiction US');
      expect(message).toContain('says ZZ');
      expect(message).toContain('govfed config set --home /srv/us jurisdiction US');
      expect(message).toContain('govfed federation invite --card');
    });
  });
});
