import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import {
  MAX_CARD_ADDRESSES,
  MAX_MEMBER_CARD_BYTES,
  MEMBER_CARD_PAYLOAD_TYPE,
  type MemberCard,
  signMemberCard,
  verifyMemberCard,
  verifyMemberCardEnvelope,
} from '../../../protocol/federation/member-card.ts';
import { cosignatureVerifierKey, ed25519VerifierKey } from '../../../protocol/note/index.ts';
import { memberCardVectors } from '../../vectors/member-card/generate.ts';
import { peer, seed } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const DIR = new URL('../../vectors/member-card/', import.meta.url);

interface Expected {
  ok: boolean;
  code?: string;
  org?: string;
  jurisdiction?: string;
  noKeys?: boolean;
}
const expected = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as Record<string, Expected>;

/** A card for peer(1) with well-formed keys. */
function card(over: Partial<Omit<MemberCard, 'type'>> = {}): Omit<MemberCard, 'type'> {
  return {
    org: 'us',
    jurisdiction: 'US',
    peerId: peer(1),
    logKey: ed25519VerifierKey('govfed/us/0a1b2c3d', keyPairFromSeed(seed(5)).publicKey),
    witnessKey: cosignatureVerifierKey('govfed/us/witness', keyPairFromSeed(seed(6)).publicKey),
    addresses: [`/ip4/127.0.0.1/tcp/4001/p2p/${peer(1)}`],
    createdAt: '2026-12-04T00:00:00Z',
    ...over,
  };
}

/** An envelope over JCS(`payload`) (any JSON value, unchecked) signed by peer(i). */
function signedPayload(payload: unknown, i = 1) {
  return signAsPeer(MEMBER_CARD_PAYLOAD_TYPE, canonicalBytes(payload), seed(i));
}

/** signedPayload of a whole card. */
function signedCard(c: Omit<MemberCard, 'type'>, i = 1) {
  return signedPayload({ type: 'govfed.member-card/v1', ...c }, i);
}

describe('member card vectors (test/vectors/member-card)', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && f !== 'expected.json');

  it('lists every vector file in expected.json', () => {
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [file, want] of Object.entries(expected)) {
    describe(`when verifying ${file}`, () => {
      it(want.ok ? 'verifies and returns the card' : `throws ${want.code}`, () => {
        const bytes = new Uint8Array(readFileSync(new URL(file, DIR)));
        if (!want.ok) {
          expect(() => verifyMemberCard(bytes)).toThrow(code(want.code as string));
          return;
        }
        const c = verifyMemberCard(bytes);
        expect(c.org).toBe(want.org);
        expect(c.jurisdiction).toBe(want.jurisdiction);
        expect(c.logKey === undefined).toBe(want.noKeys === true);
        expect(c.witnessKey === undefined).toBe(want.noKeys === true);
      });
    });
  }

  it('are what generate.ts makes, byte for byte (signing is deterministic)', () => {
    for (const [name, text] of Object.entries(memberCardVectors())) {
      expect(readFileSync(new URL(name, DIR), 'utf8'), name).toBe(text);
    }
  });
});

describe('signMemberCard', () => {
  describe('when the seed is the card peer key', () => {
    it('makes an envelope that verifies to the same card', () => {
      const env = signMemberCard(card(), seed(1));
      expect(env.signatures).toEqual([expect.objectContaining({ keyid: peer(1) })]);
      expect(verifyMemberCardEnvelope(env)).toEqual({ type: 'govfed.member-card/v1', ...card() });
    });
  });
  describe('when the seed is another peer key', () => {
    it('throws ERR_UNKNOWN_SIGNER', () => {
      expect(() => signMemberCard(card(), seed(2))).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
  });
});

describe('verifyMemberCardEnvelope', () => {
  describe('when the payload breaks the format', () => {
    const base = { type: 'govfed.member-card/v1', ...card() };
    const cases: [string, unknown][] = [
      ['an unknown field', { ...base, extra: 1 }],
      ['a missing field', { ...base, createdAt: undefined }],
      ['another type', { ...base, type: 'govfed.member-card/v2' }],
      ['a bad org', { ...base, org: '-x' }],
      ['a bad jurisdiction', { ...base, jurisdiction: 'us' }],
      ['a bad createdAt', { ...base, createdAt: 'today' }],
      ['an address of another peer', { ...base, addresses: [`/ip4/127.0.0.1/tcp/1/p2p/${peer(2)}`] }],
      ['an address without /p2p/', { ...base, addresses: ['/ip4/127.0.0.1/tcp/1'] }],
      [
        `more than ${MAX_CARD_ADDRESSES} addresses`,
        {
          ...base,
          addresses: Array.from(
            { length: MAX_CARD_ADDRESSES + 1 },
            (_, i) => `/ip4/127.0.0.1/tcp/${i + 1}/p2p/${peer(1)}`,
          ),
        },
      ],
      ['a duplicate address', { ...base, addresses: [base.addresses[0], base.addresses[0]] }],
      ['a non-string key', { ...base, logKey: 7 }],
    ];
    for (const [what, payload] of cases) {
      it(`throws ERR_MALFORMED_MEMBER_CARD for ${what}`, () => {
        const p = JSON.parse(JSON.stringify(payload)) as Record<string, unknown>;
        expect(() => verifyMemberCardEnvelope(signedPayload(p))).toThrow(code('ERR_MALFORMED_MEMBER_CARD'));
      });
    }
    it('throws ERR_MALFORMED_MEMBER_CARD for a payload that is not canonical JSON', () => {
      const env = signAsPeer(MEMBER_CARD_PAYLOAD_TYPE, utf8(JSON.stringify(base, null, 2)), seed(1));
      expect(() => verifyMemberCardEnvelope(env)).toThrow(code('ERR_MALFORMED_MEMBER_CARD'));
    });
  });
  describe('when a key is not what it claims', () => {
    it('throws ERR_MALFORMED_VERIFIER_KEY for a witness key given as the log key', () => {
      const c = card();
      const env = signedCard({ ...c, logKey: c.witnessKey as string });
      expect(() => verifyMemberCardEnvelope(env)).toThrow(code('ERR_MALFORMED_VERIFIER_KEY'));
    });
    it("throws ERR_MALFORMED_VERIFIER_KEY for another org's witness key", () => {
      const wk = cosignatureVerifierKey('govfed/eu/witness', keyPairFromSeed(seed(6)).publicKey);
      expect(() => verifyMemberCardEnvelope(signedCard(card({ witnessKey: wk })))).toThrow(
        code('ERR_MALFORMED_VERIFIER_KEY'),
      );
    });
    it('throws ERR_MALFORMED_VERIFIER_KEY for a key that does not parse', () => {
      expect(() => verifyMemberCardEnvelope(signedCard(card({ logKey: 'govfed/us/x+1+AAAA' })))).toThrow(
        code('ERR_MALFORMED_VERIFIER_KEY'),
      );
    });
  });
  describe('when the envelope is not one signature by a peer id', () => {
    it('throws ERR_MALFORMED_ENVELOPE for two signatures (at most one is read)', () => {
      const one = signMemberCard(card(), seed(1));
      const two = signedCard(card(), 2);
      const env = { ...one, signatures: [...one.signatures, ...two.signatures] };
      expect(() => verifyMemberCardEnvelope(env)).toThrow(code('ERR_MALFORMED_ENVELOPE'));
    });
    it('throws ERR_MALFORMED_MEMBER_CARD for a signature without a keyid', () => {
      const env = signMemberCard(card(), seed(1));
      const [s] = env.signatures;
      expect(() => verifyMemberCardEnvelope({ ...env, signatures: [{ sig: s?.sig }] })).toThrow(
        code('ERR_MALFORMED_MEMBER_CARD'),
      );
    });
    it('throws ERR_PAYLOAD_TYPE_MISMATCH for another payload type', () => {
      const env = signMemberCard(card(), seed(1));
      const other = signAsPeer('application/vnd.govfed.charter+json', utf8(atob(env.payload)), seed(1));
      expect(() => verifyMemberCardEnvelope(other)).toThrow(code('ERR_PAYLOAD_TYPE_MISMATCH'));
    });
  });
});

describe('verifyMemberCard', () => {
  it('throws ERR_MALFORMED_MEMBER_CARD for more than MAX_MEMBER_CARD_BYTES, before parsing', () => {
    expect(() => verifyMemberCard(new Uint8Array(MAX_MEMBER_CARD_BYTES + 1))).toThrow(
      code('ERR_MALFORMED_MEMBER_CARD'),
    );
  });
  it('throws ERR_MALFORMED_MEMBER_CARD for bytes that are not JSON', () => {
    expect(() => verifyMemberCard(utf8('{"payloadType":'))).toThrow(code('ERR_MALFORMED_MEMBER_CARD'));
    expect(() => verifyMemberCard(new Uint8Array([0xff]))).toThrow(code('ERR_MALFORMED_MEMBER_CARD'));
  });
  it('throws ERR_MALFORMED_MEMBER_CARD for a key written twice', () => {
    const text = JSON.stringify(signMemberCard(card(), seed(1)));
    expect(() => verifyMemberCard(utf8(text.replace('{', '{"payloadType":"x",')))).toThrow(
      code('ERR_MALFORMED_MEMBER_CARD'),
    );
  });
});
