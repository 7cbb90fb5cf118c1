import { describe, expect, it } from 'vitest';
import { sign } from '../../../protocol/crypto/ed25519.ts';
import { signEnvelope } from '../../../protocol/dsse/index.ts';
import { toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { mergePeerSignatures, peerKey, signAsPeer, verifyPeerSigned } from '../../../protocol/federation/envelope.ts';
import { peer, seed } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const TYPE = 'application/vnd.govfed.test+json';
const payload = utf8('{"x":1}');

describe('signAsPeer', () => {
  describe('when a peer signs', () => {
    it('writes its peer id as the keyid', () => {
      expect(signAsPeer(TYPE, payload, seed(3)).signatures.map((s) => s.keyid)).toEqual([peer(3)]);
    });
  });
  describe('when a PeerKey signs', () => {
    it("names the seed's peer id and signs with the key's signer, to the same envelope", () => {
      const signed: Uint8Array[] = [];
      const key = peerKey(seed(3), {
        sign: (message, s) => {
          signed.push(message);
          return sign(message, s);
        },
      });
      expect(key.peerId).toBe(peer(3));
      expect(signAsPeer(TYPE, payload, key)).toEqual(signAsPeer(TYPE, payload, seed(3)));
      expect(signed).toHaveLength(1);
    });
  });
});

describe('verifyPeerSigned', () => {
  const allowed = new Set([peer(0), peer(1)]);
  describe('when every signature is by an allowed peer and verifies', () => {
    it('returns the payload and the sorted signers', () => {
      const env = mergePeerSignatures(signAsPeer(TYPE, payload, seed(1)), signAsPeer(TYPE, payload, seed(0)));
      const v = verifyPeerSigned(env, { payloadType: TYPE, allowed });
      expect(v.payload).toEqual(payload);
      expect(v.signedBy).toEqual([peer(0), peer(1)].sort());
    });
  });
  describe('when the payload type differs', () => {
    it('throws ERR_PAYLOAD_TYPE_MISMATCH', () => {
      expect(() => verifyPeerSigned(signAsPeer('x/y', payload, seed(0)), { payloadType: TYPE, allowed })).toThrow(
        code('ERR_PAYLOAD_TYPE_MISMATCH'),
      );
    });
  });
  describe('when a signer is not allowed', () => {
    it('throws ERR_UNKNOWN_SIGNER', () => {
      expect(() => verifyPeerSigned(signAsPeer(TYPE, payload, seed(2)), { payloadType: TYPE, allowed })).toThrow(
        code('ERR_UNKNOWN_SIGNER'),
      );
    });
  });
  describe('when an allowed keyid carries a signature by another key', () => {
    it('throws ERR_BAD_SIGNATURE', () => {
      const env = signEnvelope(TYPE, payload, [{ keyid: peer(0), seed: seed(2) }]);
      expect(() => verifyPeerSigned(env, { payloadType: TYPE, allowed })).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });
  describe('when one of two signatures is invalid', () => {
    it('throws ERR_BAD_SIGNATURE (no signature is ignored)', () => {
      const env = mergePeerSignatures(signAsPeer(TYPE, payload, seed(1)), signAsPeer(TYPE, payload, seed(0)));
      const bad = {
        ...env,
        signatures: [env.signatures[0]!, { ...env.signatures[1]!, sig: toBase64(new Uint8Array(64)) }],
      };
      expect(() => verifyPeerSigned(bad, { payloadType: TYPE, allowed })).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });
  describe('when the envelope exceeds its limits', () => {
    it('throws ERR_MALFORMED_ENVELOPE', () => {
      const env = mergePeerSignatures(signAsPeer(TYPE, payload, seed(1)), signAsPeer(TYPE, payload, seed(0)));
      expect(() => verifyPeerSigned(env, { payloadType: TYPE, allowed, limits: { maxSignatures: 1 } })).toThrow(
        code('ERR_MALFORMED_ENVELOPE'),
      );
    });
  });
});

describe('mergePeerSignatures', () => {
  describe('when a signature has no keyid', () => {
    it('drops it', () => {
      const anon = signEnvelope(TYPE, payload, [{ keyid: '', seed: seed(1) }]);
      const merged = mergePeerSignatures(anon, signAsPeer(TYPE, payload, seed(0)));
      expect(merged.signatures.map((s) => s.keyid)).toEqual([peer(0)]);
    });
  });
  describe('when the keyid is not a peer id', () => {
    it('drops it', () => {
      const odd = signEnvelope(TYPE, payload, [{ keyid: 'not-a-peer', seed: seed(1) }]);
      expect(() => mergePeerSignatures(odd, odd)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });
  describe('when payload types differ', () => {
    it('throws ERR_PAYLOAD_MISMATCH', () => {
      expect(() =>
        mergePeerSignatures(signAsPeer(TYPE, payload, seed(0)), signAsPeer('x/y', payload, seed(0))),
      ).toThrow(code('ERR_PAYLOAD_MISMATCH'));
    });
  });
});
