import { describe, expect, it } from 'vitest';
import { policyAuditItem } from '../../../node/policy/audit.ts';
import { decodeLeaf } from '../../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { toHex } from '../../../protocol/encoding/bytes.ts';

const FED = 'f'.repeat(64);
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const TIME = new Date('2025-05-06T07:08:09Z');
const env = { payloadType: 'application/vnd.govfed.policy+json', payload: 'e30=', signatures: [] };

describe('policyAuditItem', () => {
  describe('when a bundle is applied', () => {
    it('is a policy.bundle leaf naming the bundle digest, with the envelope as its record', () => {
      const item = policyAuditItem({
        kind: 'policy.bundle',
        federationId: FED,
        version: 3,
        digest: DIGEST,
        object: env,
        time: TIME,
      });
      expect(decodeLeaf(item.leaf)).toEqual({
        v: 1,
        type: 'governance',
        kind: 'policy.bundle',
        time: '2025-05-06T07:08:09.000Z',
        digest: DIGEST,
        ref: `policy/${FED}/3`,
      });
      expect(item.record).toEqual(canonicalBytes(env));
    });
  });

  describe('when a fork is seen', () => {
    it('is a policy.fork leaf with its own ref', () => {
      const item = policyAuditItem({
        kind: 'policy.fork',
        federationId: FED,
        version: 2,
        digest: DIGEST,
        object: env,
        time: TIME,
      });
      expect(decodeLeaf(item.leaf)).toMatchObject({ kind: 'policy.fork', ref: `policy/${FED}/fork/2` });
    });
  });

  describe('when the local overlay changes', () => {
    it('is a policy.local leaf whose digest is that of the canonical local policy', () => {
      const local = { type: 'govfed.policy-local/v1', version: 2, updatedAt: '2025-01-01T00:00:00Z', rules: [] };
      const item = policyAuditItem({ kind: 'policy.local', version: 2, object: local, time: TIME });
      expect(decodeLeaf(item.leaf)).toMatchObject({
        kind: 'policy.local',
        ref: 'policy/local/2',
        digest: `sha256:${toHex(sha256(canonicalBytes(local)))}`,
      });
    });
  });
});
