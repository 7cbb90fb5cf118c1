import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { RECEIPT_TYPE, signReceipt } from '../../../protocol/policy/receipt.ts';
import {
  decodePolicySyncMessage,
  encodePolicySyncMessage,
  MAX_SYNC_POLICIES,
  type PolicySyncMessage,
  policyFromGossipBody,
  receiptFromGossipBody,
} from '../../../protocol/policy/sync.ts';
import { bundle, FED, peer, seed, signed } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const env = signed(bundle(1, null), [0, 1]);
const rec = signReceipt(
  {
    type: RECEIPT_TYPE,
    federationId: FED,
    org: 'eu',
    peerId: peer(0),
    version: 1,
    bundleHash: `sha256:${'0'.repeat(64)}`,
    logIndex: 0,
    appliedAt: '2025-01-01T00:00:00Z',
  },
  seed(0),
);

describe('encodePolicySyncMessage / decodePolicySyncMessage', () => {
  describe('when each message type round-trips', () => {
    it.each<PolicySyncMessage>([
      { type: 'policy-hello', version: 0, digest: null, pending: [] },
      { type: 'policy-hello', version: 2, digest: `sha256:${'a'.repeat(64)}`, pending: [`sha256:${'b'.repeat(64)}`] },
      { type: 'get-policies', from: 1 },
      { type: 'policies', envelopes: [env] },
      { type: 'policy-proposal', envelope: env },
      { type: 'get-receipts' },
      { type: 'receipts', envelopes: [rec] },
    ])('$type', (msg) => {
      expect(decodePolicySyncMessage(encodePolicySyncMessage(msg))).toEqual(msg);
    });
  });

  describe('when a message is malformed', () => {
    it.each([
      ['unknown type', { type: 'hello' }],
      ['extra field', { type: 'get-receipts', x: 1 }],
      [
        'hello version 0 with a digest',
        { type: 'policy-hello', version: 0, digest: `sha256:${'a'.repeat(64)}`, pending: [] },
      ],
      ['get-policies from 0', { type: 'get-policies', from: 0 }],
      ['a receipt where a bundle belongs', { type: 'policies', envelopes: [rec] }],
      ['a bundle where a receipt belongs', { type: 'receipts', envelopes: [env] }],
      ['too many envelopes', { type: 'policies', envelopes: Array(MAX_SYNC_POLICIES + 1).fill(env) }],
    ])('rejects %s with ERR_MALFORMED_SYNC_MESSAGE', (_, v) => {
      expect(() => decodePolicySyncMessage(canonicalBytes(v))).toThrow(code('ERR_MALFORMED_SYNC_MESSAGE'));
    });

    it('rejects non-canonical bytes', () => {
      expect(() => decodePolicySyncMessage(utf8('{"type": "get-receipts"}'))).toThrow(
        code('ERR_MALFORMED_SYNC_MESSAGE'),
      );
    });

    it('throws only ERR_MALFORMED_SYNC_MESSAGE on arbitrary bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          expect(() => decodePolicySyncMessage(bytes)).toThrow(code('ERR_MALFORMED_SYNC_MESSAGE'));
        }),
      );
    });
  });
});

describe('policyFromGossipBody / receiptFromGossipBody', () => {
  describe('when the body holds the right envelope', () => {
    it('returns it', () => {
      expect(policyFromGossipBody({ envelope: env })).toEqual(env);
      expect(receiptFromGossipBody({ envelope: rec })).toEqual(rec);
    });
  });

  describe('when the body is wrong', () => {
    it('throws ERR_MALFORMED_GOSSIP', () => {
      expect(() => policyFromGossipBody({ envelope: rec })).toThrow(code('ERR_MALFORMED_GOSSIP'));
      expect(() => receiptFromGossipBody({ envelope: env, x: 1 })).toThrow(code('ERR_MALFORMED_GOSSIP'));
    });
  });
});
