import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import type { Envelope } from '../../../protocol/dsse/envelope.ts';
import { keyIdOf, signEnvelope } from '../../../protocol/dsse/sign.ts';
import { type TrustedKey, verifyEnvelope } from '../../../protocol/dsse/verify.ts';
import { fromBase64, fromHex, fromUtf8, toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';

const seed = (n: number) => new Uint8Array(32).fill(n);
const keys = [1, 2, 3, 4].map((n) => {
  const kp = keyPairFromSeed(seed(n));
  return { seed: kp.seed, publicKey: kp.publicKey, keyid: keyIdOf(kp.publicKey) };
});
const [K1, K2, K3, OUTSIDER] = keys as [(typeof keys)[0], (typeof keys)[0], (typeof keys)[0], (typeof keys)[0]];
const trusted: TrustedKey[] = [K1, K2, K3].map((k) => ({ keyid: k.keyid, publicKey: k.publicKey }));

const TYPE = 'application/vnd.govfed.test+json';
const PAYLOAD = utf8('{"decision":"allow"}');

const code = (c: string) => expect.objectContaining({ code: c });

function signBy(...signers: { keyid: string; seed: Uint8Array }[]): Envelope {
  return signEnvelope(TYPE, PAYLOAD, signers);
}

describe('verifyEnvelope', () => {
  describe('when 1 to 3 trusted keys signed', () => {
    it.each([1, 2, 3])('accepts %i signatures at every threshold up to that number', (n) => {
      const env = signBy(...[K1, K2, K3].slice(0, n));
      for (let t = 1; t <= n; t++) {
        const out = verifyEnvelope(env, { trustedKeys: trusted, threshold: t, payloadType: TYPE });
        expect(out.payloadType).toBe(TYPE);
        expect(fromUtf8(out.payload)).toBe('{"decision":"allow"}');
        expect(out.signedBy).toEqual([K1, K2, K3].slice(0, n).map((k) => k.keyid));
      }
    });

    it('lists signers in trustedKeys order, not signature order', () => {
      const env = signBy(K3, K1);
      expect(verifyEnvelope(env, { trustedKeys: trusted, threshold: 2 }).signedBy).toEqual([K1.keyid, K3.keyid]);
    });
  });

  describe('when fewer than threshold trusted keys signed', () => {
    it('rejects 2 signatures against a threshold of 3, saying how many of how many', () => {
      const env = signBy(K1, K2);
      expect(() => verifyEnvelope(env, { trustedKeys: trusted, threshold: 3 })).toThrow(
        expect.objectContaining({ code: 'ERR_THRESHOLD_NOT_MET', message: expect.stringMatching(/^2 of 3 /) }),
      );
    });

    it('accepts exactly when the number of distinct trusted signers reaches the threshold', () => {
      fc.assert(
        fc.property(fc.subarray([0, 1, 2]), fc.integer({ min: 1, max: 3 }), (who, threshold) => {
          fc.pre(who.length > 0);
          const env = signBy(...who.map((i) => keys[i] as (typeof keys)[0]));
          const run = () => verifyEnvelope(env, { trustedKeys: trusted, threshold });
          if (who.length >= threshold) expect(run().signedBy).toHaveLength(who.length);
          else expect(run).toThrow(code('ERR_THRESHOLD_NOT_MET'));
        }),
        { numRuns: 40 },
      );
    });
  });

  describe('when the signing key is not trusted', () => {
    it('does not count it', () => {
      const env = signBy(OUTSIDER);
      expect(() => verifyEnvelope(env, { trustedKeys: trusted, threshold: 1 })).toThrow(code('ERR_THRESHOLD_NOT_MET'));
    });

    it('does not count it even without a keyid hint', () => {
      const env = signBy({ keyid: '', seed: OUTSIDER.seed });
      expect(() => verifyEnvelope(env, { trustedKeys: trusted, threshold: 1 })).toThrow(code('ERR_THRESHOLD_NOT_MET'));
    });
  });

  describe('when one key signs several times', () => {
    it('counts it once with repeated keyids', () => {
      const env = signBy(K1, K1, K1);
      expect(() => verifyEnvelope(env, { trustedKeys: trusted, threshold: 2 })).toThrow(code('ERR_THRESHOLD_NOT_MET'));
      expect(verifyEnvelope(env, { trustedKeys: trusted, threshold: 1 }).signedBy).toEqual([K1.keyid]);
    });

    it('counts it once without keyids, and with a mix of both', () => {
      const bare = { keyid: '', seed: K1.seed };
      for (const env of [signBy(bare, bare), signBy(bare, K1)]) {
        expect(() => verifyEnvelope(env, { trustedKeys: trusted, threshold: 2 })).toThrow(
          code('ERR_THRESHOLD_NOT_MET'),
        );
      }
    });

    it('counts it once when the same signature is copied', () => {
      const env = signBy(K1);
      const copied = { ...env, signatures: [env.signatures[0]!, env.signatures[0]!, { sig: env.signatures[0]!.sig }] };
      expect(() => verifyEnvelope(copied, { trustedKeys: trusted, threshold: 2 })).toThrow(
        code('ERR_THRESHOLD_NOT_MET'),
      );
    });
  });

  describe('when signatures carry no keyid', () => {
    it('tries every trusted key and counts distinct signers', () => {
      const env = signBy({ keyid: '', seed: K2.seed }, { keyid: '', seed: K3.seed });
      expect(verifyEnvelope(env, { trustedKeys: trusted, threshold: 2 }).signedBy).toEqual([K2.keyid, K3.keyid]);
    });
  });

  describe('when a keyid hint lies', () => {
    it('does not count a signature by K2 labelled as K1, though K2 is trusted', () => {
      const env = signBy({ keyid: K1.keyid, seed: K2.seed });
      expect(() => verifyEnvelope(env, { trustedKeys: trusted, threshold: 1 })).toThrow(code('ERR_THRESHOLD_NOT_MET'));
    });

    it('does not count a signature whose keyid names no trusted key', () => {
      const env = signBy({ keyid: 'no-such-key', seed: K1.seed });
      expect(() => verifyEnvelope(env, { trustedKeys: trusted, threshold: 1 })).toThrow(code('ERR_THRESHOLD_NOT_MET'));
    });

    it('cannot make one signature count for two keys', () => {
      const env = signBy(K1);
      const relabelled = { ...env, signatures: [env.signatures[0]!, { keyid: K2.keyid, sig: env.signatures[0]!.sig }] };
      expect(() => verifyEnvelope(relabelled, { trustedKeys: trusted, threshold: 2 })).toThrow(
        code('ERR_THRESHOLD_NOT_MET'),
      );
    });
  });

  describe('when the payload was changed after signing', () => {
    it('rejects it', () => {
      const env = signBy(K1, K2);
      const changed = { ...env, payload: toBase64(utf8('{"decision":"deny"}')) };
      expect(() => verifyEnvelope(changed, { trustedKeys: trusted, threshold: 1 })).toThrow(
        code('ERR_THRESHOLD_NOT_MET'),
      );
    });
  });

  describe('when the payload type differs', () => {
    it('rejects an envelope whose type is not the expected one', () => {
      const env = signBy(K1);
      expect(() =>
        verifyEnvelope(env, { trustedKeys: trusted, threshold: 1, payloadType: 'application/other' }),
      ).toThrow(code('ERR_PAYLOAD_TYPE_MISMATCH'));
    });

    it('does not verify a signature made for type A under type B (the type is signed)', () => {
      const env = signBy(K1);
      const swapped = { ...env, payloadType: 'application/vnd.govfed.other+json' };
      expect(() => verifyEnvelope(swapped, { trustedKeys: trusted, threshold: 1 })).toThrow(
        code('ERR_THRESHOLD_NOT_MET'),
      );
      expect(() =>
        verifyEnvelope(swapped, { trustedKeys: trusted, threshold: 1, payloadType: swapped.payloadType }),
      ).toThrow(code('ERR_THRESHOLD_NOT_MET'));
    });

    it('rejects the DSSE "payload-type-swapped" vector', () => {
      // secure-systems-lab/dsse testvectors/vectors.json (commit 82043ad); key A = RFC 8032 TEST 1.
      const env: Envelope = {
        payload: 'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==',
        payloadType: 'application/vnd.example.other+json',
        signatures: [
          {
            sig: '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==',
            keyid: 'A',
          },
        ],
      };
      const A = { keyid: 'A', publicKey: fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a') };
      expect(() => verifyEnvelope(env, { trustedKeys: [A], threshold: 1 })).toThrow(code('ERR_THRESHOLD_NOT_MET'));
      const original = { ...env, payloadType: 'application/vnd.in-toto+json' };
      expect(verifyEnvelope(original, { trustedKeys: [A], threshold: 1 }).signedBy).toEqual(['A']);
    });
  });

  describe('when some signatures are invalid', () => {
    it('skips them without failing (DSSE allows extra signatures)', () => {
      const env = signBy(K1);
      const noisy = {
        ...env,
        signatures: [
          { keyid: K2.keyid, sig: toBase64(new Uint8Array(64).fill(9)) },
          { sig: toBase64(new Uint8Array(64)) },
          ...env.signatures,
        ],
      };
      expect(verifyEnvelope(noisy, { trustedKeys: trusted, threshold: 1 }).signedBy).toEqual([K1.keyid]);
    });

    it('does not count a signature with S + L (non-canonical S)', () => {
      const env = signBy(K1);
      const sig = fromBase64(env.signatures[0]!.sig);
      const L = 2n ** 252n + 27742317777372353535851937790883648493n;
      let s = 0n;
      for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i] as number);
      s += L;
      for (let i = 32; i < 64; i++) {
        sig[i] = Number(s & 0xffn);
        s >>= 8n;
      }
      const forged = { ...env, signatures: [{ keyid: K1.keyid, sig: toBase64(sig) }] };
      expect(() => verifyEnvelope(forged, { trustedKeys: trusted, threshold: 1 })).toThrow(
        code('ERR_THRESHOLD_NOT_MET'),
      );
    });
  });

  describe('when the threshold is not an integer >= 1', () => {
    it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1'])('rejects %s', (threshold) => {
      expect(() => verifyEnvelope(signBy(K1), { trustedKeys: trusted, threshold: threshold as number })).toThrow(
        code('ERR_INVALID_INPUT'),
      );
    });

    it('rejects a threshold larger than the trusted set', () => {
      expect(() => verifyEnvelope(signBy(K1), { trustedKeys: trusted, threshold: 4 })).toThrow(
        code('ERR_INVALID_INPUT'),
      );
    });
  });

  describe('when the trusted keys are inconsistent', () => {
    it('rejects duplicate keyids', () => {
      const dup = [...trusted, { keyid: K1.keyid, publicKey: OUTSIDER.publicKey }];
      expect(() => verifyEnvelope(signBy(K1), { trustedKeys: dup, threshold: 1 })).toThrow(code('ERR_INVALID_INPUT'));
    });

    it('rejects one public key under two keyids (one signature would count twice)', () => {
      const dup = [...trusted, { keyid: 'alias', publicKey: K1.publicKey }];
      const env = signBy({ keyid: '', seed: K1.seed });
      expect(() => verifyEnvelope(env, { trustedKeys: dup, threshold: 2 })).toThrow(code('ERR_INVALID_INPUT'));
    });

    it('rejects an empty keyid', () => {
      const bad = [{ keyid: '', publicKey: K1.publicKey }];
      expect(() => verifyEnvelope(signBy(K1), { trustedKeys: bad, threshold: 1 })).toThrow(code('ERR_INVALID_INPUT'));
    });

    it('rejects an invalid public key', () => {
      const identity = new Uint8Array(32);
      identity[0] = 1;
      for (const publicKey of [identity, new Uint8Array(31)]) {
        expect(() => verifyEnvelope(signBy(K1), { trustedKeys: [{ keyid: 'x', publicKey }], threshold: 1 })).toThrow(
          code('ERR_INVALID_KEY'),
        );
      }
    });
  });

  describe('when the envelope is malformed', () => {
    it.each([
      ['no signatures', (e: Envelope) => ({ ...e, signatures: [] })],
      ['a short signature', (e: Envelope) => ({ ...e, signatures: [{ sig: toBase64(new Uint8Array(63)) }] })],
      ['non-canonical base64 payload', (e: Envelope) => ({ ...e, payload: 'YR==' })],
      ['an unknown field', (e: Envelope) => ({ ...e, extra: true })],
      ['an empty payload type', (e: Envelope) => ({ ...e, payloadType: '' })],
    ])('rejects %s', (_, mutate) => {
      expect(() => verifyEnvelope(mutate(signBy(K1)) as Envelope, { trustedKeys: trusted, threshold: 1 })).toThrow(
        code('ERR_MALFORMED_ENVELOPE'),
      );
    });
  });

  describe('when given the DSSE threshold vectors', () => {
    // secure-systems-lab/dsse testvectors/vectors.json (commit 82043ad). A, B = RFC 8032 TEST 1, 2.
    const A = { keyid: 'A', publicKey: fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a') };
    const B = { keyid: 'B', publicKey: fromHex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c') };
    const SIG_A = '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==';
    const SIG_B = 'c1+67/aT0yqEpwx8PsVY3MLHsj9D0CZ014/Fv/QlG59P+9CobUZ7xECJ/V3USG0Ob9CiE5LjReEZUzNF2l7eBw==';
    const base = {
      payload: 'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==',
      payloadType: 'application/vnd.in-toto+json',
    };
    const opts = { trustedKeys: [A, B], threshold: 2, payloadType: 'application/vnd.in-toto+json' };

    it('accepts "threshold-two-distinct-keys"', () => {
      const env = {
        ...base,
        signatures: [
          { sig: SIG_A, keyid: 'A' },
          { sig: SIG_B, keyid: 'B' },
        ],
      };
      expect(verifyEnvelope(env, opts).signedBy).toEqual(['A', 'B']);
    });

    it('rejects "threshold-two-one-key-twice"', () => {
      const env = {
        ...base,
        signatures: [
          { sig: SIG_A, keyid: 'A' },
          { sig: SIG_A, keyid: 'A' },
        ],
      };
      expect(() => verifyEnvelope(env, opts)).toThrow(code('ERR_THRESHOLD_NOT_MET'));
    });

    it('accepts "threshold-two-without-keyids"', () => {
      const env = { ...base, signatures: [{ sig: SIG_A }, { sig: SIG_B }] };
      expect(verifyEnvelope(env, opts).signedBy).toEqual(['A', 'B']);
    });
  });
});
