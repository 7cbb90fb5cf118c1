import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import {
  checkReceipt,
  decodeReceipt,
  encodeReceipt,
  type PolicyReceipt,
  RECEIPT_PAYLOAD_TYPE,
  RECEIPT_TYPE,
  receiptOf,
  signReceipt,
  verifyReceipt,
} from '../../../protocol/policy/receipt.ts';
import { FED, federation, peer, seed } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

function receipt(over: Partial<PolicyReceipt> = {}): PolicyReceipt {
  return {
    type: RECEIPT_TYPE,
    federationId: FED,
    org: 'us',
    peerId: peer(1),
    version: 2,
    bundleHash: `sha256:${'ab'.repeat(32)}`,
    logIndex: 17,
    appliedAt: '2025-01-01T00:00:01Z',
    ...over,
  };
}

describe('checkReceipt', () => {
  describe('when well-formed', () => {
    it('has the keys the issue names and round-trips', () => {
      const r = receipt();
      expect(Object.keys(checkReceipt(r))).toEqual(
        expect.arrayContaining(['org', 'version', 'bundleHash', 'logIndex']),
      );
      expect(decodeReceipt(encodeReceipt(r))).toEqual(r);
    });
  });

  describe('when a field is wrong', () => {
    it.each([
      ['extra field', { ...receipt(), x: 1 }],
      ['bad org', receipt({ org: '-x' })],
      ['bad peer id', receipt({ peerId: 'nope' })],
      ['version 0', receipt({ version: 0 })],
      ['bad hash', receipt({ bundleHash: 'sha256:zz' })],
      ['negative log index', receipt({ logIndex: -1 })],
    ])('rejects %s with ERR_MALFORMED_RECEIPT', (_, v) => {
      expect(() => checkReceipt(v)).toThrow(code('ERR_MALFORMED_RECEIPT'));
    });
  });
});

describe('verifyReceipt', () => {
  const chain = federation();

  describe('when signed by the member it names', () => {
    it('returns the receipt', () => {
      const env = signReceipt(receipt(), seed(1));
      expect(verifyReceipt(env, chain)).toEqual(receipt());
      expect(receiptOf(env)).toEqual(receipt());
    });
  });

  describe('when signed by another member', () => {
    it('throws ERR_UNKNOWN_SIGNER', () => {
      const env = signAsPeer(RECEIPT_PAYLOAD_TYPE, encodeReceipt(receipt()), seed(2));
      expect(() => verifyReceipt(env, chain)).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
  });

  describe('when it names a non-member or the wrong org', () => {
    it('throws ERR_UNKNOWN_SIGNER', () => {
      expect(() => verifyReceipt(signReceipt(receipt({ peerId: peer(7), org: 'mallory' }), seed(7)), chain)).toThrow(
        code('ERR_UNKNOWN_SIGNER'),
      );
      expect(() => verifyReceipt(signReceipt(receipt({ org: 'eu' }), seed(1)), chain)).toThrow(
        code('ERR_UNKNOWN_SIGNER'),
      );
    });
  });

  describe('when the payload was altered', () => {
    it('throws ERR_BAD_SIGNATURE', () => {
      const env = signReceipt(receipt(), seed(1));
      const altered = { ...env, payload: toBase64(encodeReceipt(receipt({ logIndex: 18 }))) };
      expect(() => verifyReceipt(altered, chain)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when of another federation', () => {
    it('throws ERR_FEDERATION_MISMATCH', () => {
      const env = signReceipt(receipt({ federationId: 'f'.repeat(64) }), seed(1));
      expect(() => verifyReceipt(env, chain)).toThrow(code('ERR_FEDERATION_MISMATCH'));
    });
  });

  describe('when signed with a key that is not its peer id', () => {
    it('signReceipt refuses with ERR_INVALID_INPUT', () => {
      expect(() => signReceipt(receipt(), seed(2))).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});
