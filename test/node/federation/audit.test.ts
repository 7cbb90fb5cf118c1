import { describe, expect, it } from 'vitest';
import { envelopeDigest, federationAuditItem } from '../../../node/federation/audit.ts';
import { decodeLeaf } from '../../../protocol/audit/index.ts';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { charterDigest, genesisCharter, peerIdFromSeed, signCharter } from '../../../protocol/federation/index.ts';

const seed = new Uint8Array(32).fill(7);
const charter = genesisCharter({
  name: 'f',
  createdAt: '2025-01-01T00:00:00Z',
  members: [{ org: 'eu', peerId: peerIdFromSeed(seed), jurisdiction: 'EU' }],
  thresholds: { admission: 1, policy: 1, charter: 1 },
});
const env = signCharter(charter, seed);
const id = 'b'.repeat(64);

describe('federationAuditItem', () => {
  describe('when the object is a charter', () => {
    it('is a governance leaf with the charter digest, a ref naming the version, and the envelope as record', () => {
      const item = federationAuditItem({
        kind: 'federation.charter',
        federationId: id,
        version: 1,
        digest: charterDigest(charter),
        envelope: env,
        time: new Date('2025-01-02T00:00:00Z'),
      });
      expect(decodeLeaf(item.leaf)).toEqual({
        v: 1,
        type: 'governance',
        kind: 'federation.charter',
        time: '2025-01-02T00:00:00.000Z',
        digest: charterDigest(charter),
        ref: `federation/${id}/charter/1`,
      });
      expect(item.record).toEqual(canonicalBytes(env));
    });
  });

  describe('when the object is a proposal', () => {
    it('uses the digest of the canonical envelope (its signatures matter)', () => {
      const item = federationAuditItem({
        kind: 'federation.proposal',
        federationId: id,
        version: 2,
        envelope: env,
        time: new Date(0),
      });
      const leaf = decodeLeaf(item.leaf) as { digest: string; ref: string };
      expect(leaf.digest).toBe(envelopeDigest(env));
      expect(leaf.ref).toBe(`federation/${id}/proposal/2`);
    });
  });
});
