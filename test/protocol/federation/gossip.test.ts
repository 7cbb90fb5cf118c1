import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { sign } from '../../../protocol/crypto/ed25519.ts';
import { parseEnvelope, serializeEnvelope, signEnvelope } from '../../../protocol/dsse/index.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { addMembers, nextCharter } from '../../../protocol/federation/charter.ts';
import { peerKey, signAsPeer } from '../../../protocol/federation/envelope.ts';
import { GossipValidationError } from '../../../protocol/federation/errors.ts';
import {
  decodeAndVerifyGossip,
  encodeGossip,
  envelopeBody,
  envelopeFromBody,
  GOSSIP_PAYLOAD_TYPE,
  type GossipMessage,
  gossipMessageId,
} from '../../../protocol/federation/gossip.ts';
import { makeGenesis, member, peer, seed, signedBy, T0 } from './fixtures.ts';

const NOW = Date.parse('2025-01-01T00:00:10Z');

/** eu, us, apac (versions 1..3). */
function threeOrgs(): CharterChain {
  const g = makeGenesis([0]);
  const chain = new CharterChain(signedBy(g, [0]));
  const v2 = addMembers(g, [member(1)], T0);
  chain.accept(signedBy(v2, [0, 1]));
  const v3 = addMembers(v2, [member(2)], T0);
  chain.accept(signedBy(v3, [0, 2]));
  return chain;
}

function msg(chain: CharterChain, over: Partial<GossipMessage> = {}): GossipMessage {
  return {
    type: 'proposal',
    federationId: chain.federationId,
    charterVersion: chain.version,
    sender: peer(1),
    seq: 1,
    sentAt: T0,
    body: { hello: 'world' },
    ...over,
  };
}

/** Asserts decodeAndVerifyGossip throws `code` with `action`. */
function expectFailure(f: () => unknown, code: string, action: 'reject' | 'ignore'): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(GossipValidationError);
  expect(err).toEqual(expect.objectContaining({ code, action }));
}

describe('encodeGossip', () => {
  describe('when the sender signs its message', () => {
    it('yields a one-signature envelope in serialised form, keyid = sender', () => {
      const chain = threeOrgs();
      const bytes = encodeGossip(msg(chain), seed(1));
      const env = parseEnvelope(bytes);
      expect(new TextDecoder().decode(bytes)).toBe(serializeEnvelope(env));
      expect(env.payloadType).toBe(GOSSIP_PAYLOAD_TYPE);
      expect(env.signatures).toEqual([expect.objectContaining({ keyid: peer(1) })]);
      expect(gossipMessageId(bytes)).toHaveLength(32);
    });
  });
  describe('when the sender signs with a PeerKey', () => {
    it("writes the same bytes as with its seed, signed by the key's signer", () => {
      const m = msg(threeOrgs());
      let calls = 0;
      const key = peerKey(seed(1), { sign: (message, s) => (calls++, sign(message, s)) });
      expect(encodeGossip(m, key)).toEqual(encodeGossip(m, seed(1)));
      expect(calls).toBe(1);
    });
  });
  describe("when the signing key (a seed or a PeerKey) is not the sender's", () => {
    it('throws ERR_INVALID_INPUT naming both peers', () => {
      const m = msg(threeOrgs());
      const other = peerKey(seed(2)).peerId;
      const expected = expect.objectContaining({
        code: 'ERR_INVALID_INPUT',
        message: `gossip: the signing key is ${other}'s, not the sender's (${m.sender})`,
      });
      expect(() => encodeGossip(m, seed(2))).toThrow(expected);
      expect(() => encodeGossip(m, peerKey(seed(2)))).toThrow(expected);
    });
  });
  describe('when the message is malformed', () => {
    it('throws ERR_MALFORMED_GOSSIP', () => {
      const m = { ...msg(threeOrgs()), extra: 1 } as GossipMessage;
      expect(() => encodeGossip(m, seed(1))).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED_GOSSIP' }));
    });
  });
});

describe('decodeAndVerifyGossip', () => {
  const chain = threeOrgs();
  const opts = { chain, now: NOW, maxSkewMs: 60_000 };

  describe('when a member sends a valid message', () => {
    it('returns it', () => {
      const { message } = decodeAndVerifyGossip(encodeGossip(msg(chain), seed(1)), { ...opts, kind: 'proposal' });
      expect(message).toEqual(msg(chain));
    });
  });

  describe('when the message is larger than maxBytes', () => {
    it('rejects with ERR_MESSAGE_TOO_LARGE', () => {
      const bytes = encodeGossip(msg(chain), seed(1));
      expectFailure(
        () => decodeAndVerifyGossip(bytes, { ...opts, maxBytes: bytes.length - 1 }),
        'ERR_MESSAGE_TOO_LARGE',
        'reject',
      );
    });
  });

  describe('when the bytes are not an envelope', () => {
    it('rejects with ERR_MALFORMED_ENVELOPE', () => {
      expectFailure(() => decodeAndVerifyGossip(utf8('{"x":1}'), opts), 'ERR_MALFORMED_ENVELOPE', 'reject');
    });
  });

  describe('when the envelope is not in its serialised form', () => {
    it('rejects with ERR_MALFORMED_GOSSIP', () => {
      const env = parseEnvelope(encodeGossip(msg(chain), seed(1)));
      const spaced = utf8(JSON.stringify(env, null, 1));
      expectFailure(() => decodeAndVerifyGossip(spaced, opts), 'ERR_MALFORMED_GOSSIP', 'reject');
    });
  });

  describe('when the envelope has two signatures', () => {
    it('rejects with ERR_MALFORMED_ENVELOPE', () => {
      const payload = canonicalBytes(msg(chain));
      const env = signEnvelope(GOSSIP_PAYLOAD_TYPE, payload, [
        { keyid: peer(1), seed: seed(1) },
        { keyid: peer(2), seed: seed(2) },
      ]);
      expectFailure(
        () => decodeAndVerifyGossip(utf8(serializeEnvelope(env)), opts),
        'ERR_MALFORMED_ENVELOPE',
        'reject',
      );
    });
  });

  describe('when the payload type is not gossip', () => {
    it('rejects with ERR_PAYLOAD_TYPE_MISMATCH', () => {
      const env = signAsPeer('application/vnd.govfed.charter+json', canonicalBytes(msg(chain)), seed(1));
      expectFailure(
        () => decodeAndVerifyGossip(utf8(serializeEnvelope(env)), opts),
        'ERR_PAYLOAD_TYPE_MISMATCH',
        'reject',
      );
    });
  });

  describe('when the payload is not canonical', () => {
    it('rejects with ERR_NOT_CANONICAL', () => {
      const env = signAsPeer(GOSSIP_PAYLOAD_TYPE, utf8(JSON.stringify(msg(chain), null, 1)), seed(1));
      expectFailure(() => decodeAndVerifyGossip(utf8(serializeEnvelope(env)), opts), 'ERR_NOT_CANONICAL', 'reject');
    });
  });

  describe('when the message type is not the topic kind', () => {
    it('rejects with ERR_MALFORMED_GOSSIP', () => {
      const bytes = encodeGossip(msg(chain), seed(1));
      expectFailure(() => decodeAndVerifyGossip(bytes, { ...opts, kind: 'charter' }), 'ERR_MALFORMED_GOSSIP', 'reject');
    });
  });

  describe('when the message is for another federation', () => {
    it('rejects with ERR_FEDERATION_MISMATCH', () => {
      const bytes = encodeGossip(msg(chain, { federationId: 'ab'.repeat(32) }), seed(1));
      expectFailure(() => decodeAndVerifyGossip(bytes, opts), 'ERR_FEDERATION_MISMATCH', 'reject');
    });
  });

  describe('when the sender is not a member', () => {
    it('rejects with ERR_UNKNOWN_SIGNER', () => {
      const bytes = encodeGossip(msg(chain, { sender: peer(7) }), seed(7));
      expectFailure(() => decodeAndVerifyGossip(bytes, opts), 'ERR_UNKNOWN_SIGNER', 'reject');
    });
  });

  describe('when the sender was removed in the current version', () => {
    it('ignores with ERR_UNKNOWN_SIGNER (forwarders may not know yet)', () => {
      const c = threeOrgs();
      c.accept(
        signedBy(
          nextCharter(c.current, { createdAt: T0, members: c.current.members.filter((m) => m.peerId !== peer(2)) }),
          [0],
        ),
      );
      const bytes = encodeGossip(msg(c, { sender: peer(2) }), seed(2));
      expectFailure(() => decodeAndVerifyGossip(bytes, { ...opts, chain: c }), 'ERR_UNKNOWN_SIGNER', 'ignore');
    });
  });

  describe('when an unknown sender claims a newer charter', () => {
    it('ignores with ERR_CHARTER_GAP if its signature verifies, rejects otherwise', () => {
      const bytes = encodeGossip(msg(chain, { sender: peer(7), charterVersion: 4 }), seed(7));
      expectFailure(() => decodeAndVerifyGossip(bytes, opts), 'ERR_CHARTER_GAP', 'ignore');
      const forged = forgeSignature(bytes);
      expectFailure(() => decodeAndVerifyGossip(forged, opts), 'ERR_BAD_SIGNATURE', 'reject');
    });
  });

  describe('when the signature is not by the sender key', () => {
    it('rejects with ERR_BAD_SIGNATURE', () => {
      expectFailure(
        () => decodeAndVerifyGossip(forgeSignature(encodeGossip(msg(chain), seed(1))), opts),
        'ERR_BAD_SIGNATURE',
        'reject',
      );
    });
    it('rejects with ERR_BAD_SIGNATURE when the keyid names another member', () => {
      const env = signAsPeer(GOSSIP_PAYLOAD_TYPE, canonicalBytes(msg(chain)), seed(2));
      expectFailure(() => decodeAndVerifyGossip(utf8(serializeEnvelope(env)), opts), 'ERR_BAD_SIGNATURE', 'reject');
    });
  });

  describe('when a member holds a newer charter than ours', () => {
    it('accepts the message and says to sync', () => {
      const bytes = encodeGossip(msg(chain, { charterVersion: 4 }), seed(1));
      const v = decodeAndVerifyGossip(bytes, opts);
      expect(v.message.charterVersion).toBe(4);
      expect(v.needsSync).toBe(true);
      expect(decodeAndVerifyGossip(encodeGossip(msg(chain), seed(1)), opts).needsSync).toBe(false);
    });
  });

  describe('when the charter version is older than the tolerance', () => {
    it('ignores with ERR_STALE_VERSION', () => {
      const bytes = encodeGossip(msg(chain, { charterVersion: 1 }), seed(1));
      expectFailure(() => decodeAndVerifyGossip(bytes, opts), 'ERR_STALE_VERSION', 'ignore');
      expect(decodeAndVerifyGossip(bytes, { ...opts, versionTolerance: 2 }).message.charterVersion).toBe(1);
      const lagging = encodeGossip(msg(chain, { charterVersion: 2 }), seed(1));
      expect(decodeAndVerifyGossip(lagging, opts).message.charterVersion).toBe(2);
    });
  });

  describe('when sentAt is too far from now', () => {
    it('ignores with ERR_CLOCK_SKEW', () => {
      const bytes = encodeGossip(msg(chain, { sentAt: '2025-01-01T01:00:00Z' }), seed(1));
      expectFailure(() => decodeAndVerifyGossip(bytes, opts), 'ERR_CLOCK_SKEW', 'ignore');
    });
  });
});

/** The same message with its signature replaced by one over other bytes. */
function forgeSignature(bytes: Uint8Array): Uint8Array {
  const env = parseEnvelope(bytes);
  const other = signAsPeer(GOSSIP_PAYLOAD_TYPE, utf8('other'), seed(6));
  return utf8(serializeEnvelope({ ...env, signatures: [{ ...env.signatures[0]!, sig: other.signatures[0]!.sig }] }));
}

describe('envelopeFromBody', () => {
  describe('when the body carries a charter envelope', () => {
    it('round-trips with envelopeBody', () => {
      const env = signedBy(makeGenesis([0]), [0]);
      expect(envelopeFromBody(envelopeBody(env))).toEqual(env);
    });
  });
  describe('when the body has other fields or a malformed envelope', () => {
    it('rejects with ERR_MALFORMED_GOSSIP', () => {
      const env = signedBy(makeGenesis([0]), [0]);
      expectFailure(() => envelopeFromBody({ envelope: env, x: 1 }), 'ERR_MALFORMED_GOSSIP', 'reject');
      expectFailure(() => envelopeFromBody({ envelope: { ...env, signatures: [] } }), 'ERR_MALFORMED_GOSSIP', 'reject');
    });
  });
});
