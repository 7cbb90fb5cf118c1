import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { opensslVerify as nodeVerifier } from '../../../node/crypto/ed25519.ts';
import {
  assertPublicKey,
  assertSignature,
  generateKeyPair,
  keyPairFromSeed,
  sign,
  strictVerifier,
  verify,
} from '../../../protocol/crypto/ed25519.ts';
import { fromHex, toHex, utf8 } from '../../../protocol/encoding/bytes.ts';
import { L, leToBig, RFC8032, withSPlusL } from './fixtures.ts';

/** A verifier with ZIP-215 semantics (noble's default), to show what the strict mode refuses. */
const zip215Verify = (sig: Uint8Array, msg: Uint8Array, pub: Uint8Array) => ed.verify(sig, msg, pub, { zip215: true });

const code = (c: string) => expect.objectContaining({ code: c });

describe('sign', () => {
  describe('when given the RFC 8032 §7.1 test vectors', () => {
    it.each(RFC8032)('$name: derives the public key and reproduces the signature byte for byte', (v) => {
      const kp = keyPairFromSeed(fromHex(v.seed));
      expect(toHex(kp.publicKey)).toBe(v.publicKey);
      expect(toHex(sign(fromHex(v.message), fromHex(v.seed)))).toBe(v.signature);
    });

    it('has the SHA(abc) message equal to SHA-512("abc")', () => {
      expect(toHex(sha512(utf8('abc')))).toBe(RFC8032[4].message);
      expect(RFC8032[3].message.length).toBe(2 * 1023);
    });
  });

  describe('when given a seed that is not 32 bytes', () => {
    it('rejects it', () => {
      expect(() => sign(utf8('m'), new Uint8Array(31))).toThrow(code('ERR_INVALID_LENGTH'));
    });
  });
});

/**
 * Every verify case runs through both verifiers: the pure path (strictVerifier(), noble's points) and
 * node/'s verifier with OpenSSL's equation (node/crypto/ed25519.ts opensslVerify), which must accept and
 * reject exactly the same signatures. Each is a value passed in: nothing process-wide is switched.
 */
for (const [backend, verify] of [
  ['the pure verifier (strictVerifier())', strictVerifier()],
  ["node's OpenSSL verifier (strictVerifier(opensslEquation))", nodeVerifier],
] as const) {
  describe(`with ${backend}`, () => {
    describe('verify', () => {
      describe('when given the RFC 8032 §7.1 test vectors', () => {
        it.each(RFC8032)('$name: accepts the published signature', (v) => {
          expect(verify(fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey))).toBe(true);
        });

        it.each(RFC8032)('$name: node:crypto (OpenSSL) agrees', (v) => {
          const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), fromHex(v.publicKey)]);
          const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
          expect(nodeVerify(null, fromHex(v.message), key, fromHex(v.signature))).toBe(true);
        });
      });

      describe('when one bit is flipped', () => {
        const v = RFC8032[2];
        const sig = fromHex(v.signature);
        const msg = fromHex(v.message);
        const pub = fromHex(v.publicKey);

        it('rejects every single-bit change of the signature', () => {
          for (let bit = 0; bit < 512; bit++) {
            const bad = Uint8Array.from(sig);
            bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
            expect(verify(bad, msg, pub), `bit ${bit}`).toBe(false);
          }
        });

        it('rejects every single-bit change of the message', () => {
          for (let bit = 0; bit < msg.length * 8; bit++) {
            const bad = Uint8Array.from(msg);
            bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
            expect(verify(sig, bad, pub), `bit ${bit}`).toBe(false);
          }
        });

        it('rejects every single-bit change of the public key', () => {
          for (let bit = 0; bit < 256; bit++) {
            const bad = Uint8Array.from(pub);
            bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
            expect(verify(sig, msg, bad), `bit ${bit}`).toBe(false);
          }
        });
      });

      describe('when the inputs have the wrong shape', () => {
        it('returns false instead of throwing', () => {
          const v = RFC8032[0];
          expect(verify(fromHex(v.signature).subarray(1), new Uint8Array(0), fromHex(v.publicKey))).toBe(false);
          expect(verify(fromHex(v.signature), new Uint8Array(0), fromHex(v.publicKey).subarray(1))).toBe(false);
          expect(verify('sig' as unknown as Uint8Array, new Uint8Array(0), fromHex(v.publicKey))).toBe(false);
          expect(verify(fromHex(v.signature), 'm' as unknown as Uint8Array, fromHex(v.publicKey))).toBe(false);
        });
      });

      // The strict RFC 8032 choice documented in protocol/crypto/ed25519.ts, shown against ZIP-215.
      describe('when S >= L (a non-canonical S)', () => {
        it.each(RFC8032)('$name: rejects S + L although the scalar is the same mod L', (v) => {
          const bad = withSPlusL(fromHex(v.signature));
          expect(leToBig(bad.subarray(32)) >= L).toBe(true);
          expect(verify(bad, fromHex(v.message), fromHex(v.publicKey))).toBe(false);
        });
      });

      describe('when the public key has small order', () => {
        // All eight points of order 1, 2, 4 and 8, canonically encoded (the usual blocklist).
        const SMALL_ORDER = [
          '0100000000000000000000000000000000000000000000000000000000000000',
          'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
          '0000000000000000000000000000000000000000000000000000000000000000',
          '0000000000000000000000000000000000000000000000000000000000000080',
          '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
          'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
          '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
          'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
        ];

        it('lists points that really have small order', () => {
          for (const h of SMALL_ORDER) expect(ed.Point.fromHex(h).multiply(8n).is0()).toBe(true);
        });

        it('rejects the identity key with the signature (R = identity, S = 0) that ZIP-215 accepts for any message', () => {
          const identity = fromHex(SMALL_ORDER[0] as string);
          const sig = new Uint8Array(64);
          sig.set(identity, 0);
          for (const msg of [utf8(''), utf8('approve charter v2'), utf8('revoke node 7')]) {
            expect(zip215Verify(sig, msg, identity)).toBe(true);
            expect(verify(sig, msg, identity)).toBe(false);
          }
        });

        it.each(SMALL_ORDER)('assertPublicKey rejects %s', (h) => {
          expect(() => assertPublicKey(fromHex(h))).toThrow(code('ERR_INVALID_KEY'));
        });
      });

      describe('when a point encoding is non-canonical (y >= p)', () => {
        // y = 3 is on the curve and not of small order; y + p = 2^255 - 16 encodes the same point.
        const canonical = fromHex('0300000000000000000000000000000000000000000000000000000000000000');
        const nonCanonical = fromHex('f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');

        it('rejects the non-canonical public key that a ZIP-215 decoder accepts', () => {
          expect(ed.Point.fromBytes(nonCanonical, true).equals(ed.Point.fromBytes(canonical, false))).toBe(true);
          expect(() => assertPublicKey(canonical)).not.toThrow();
          expect(() => assertPublicKey(nonCanonical)).toThrow(code('ERR_INVALID_KEY'));
        });

        it('rejects a signature whose R is a non-canonical encoding (of the identity) that ZIP-215 accepts', () => {
          // R = y of p + 1 (the identity, non-canonically), S = 0, A = identity.
          const sig = new Uint8Array(64);
          sig.set(fromHex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'), 0);
          const identity = fromHex('0100000000000000000000000000000000000000000000000000000000000000');
          expect(zip215Verify(sig, utf8('m'), identity)).toBe(true);
          expect(verify(sig, utf8('m'), identity)).toBe(false);
        });

        it('rejects the x = 0 point written with the sign bit set', () => {
          const negZero = fromHex('0100000000000000000000000000000000000000000000000000000000000080');
          expect(() => ed.Point.fromBytes(negZero, true)).not.toThrow();
          expect(() => assertPublicKey(negZero)).toThrow(code('ERR_INVALID_KEY'));
        });
      });
    });

    /** Ed25519 internals for building adversarial signatures (RFC 8032 §5.1.5–5.1.6). */
    const le = (b: Uint8Array): bigint => {
      let n = 0n;
      for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i] as number);
      return n;
    };
    const toLe32 = (n: bigint): Uint8Array => {
      const out = new Uint8Array(32);
      for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 255n);
      return out;
    };
    const cat = (...p: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(p));
    /** A point of order 8 (from the list of small-order Ed25519 points). */
    const T8 = ed.Point.fromBytes(fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'), true);

    /** Signs like RFC 8032 with the secret scalar of `seed`, but with R shifted by `shiftR` and A given. */
    function forge(seed: Uint8Array, message: Uint8Array, publicKey: Uint8Array, shiftR?: typeof T8): Uint8Array {
      const h = sha512(seed);
      const head = h.slice(0, 32);
      head[0] = (head[0] as number) & 248;
      head[31] = ((head[31] as number) & 127) | 64;
      const a = le(head);
      const r = le(sha512(cat(h.slice(32), message))) % L;
      let R = ed.Point.BASE.multiply(r);
      if (shiftR) R = R.add(shiftR);
      const rBytes = R.toBytes();
      const k = le(sha512(cat(rBytes, publicKey, message))) % L;
      return cat(rBytes, toLe32((r + k * a) % L));
    }

    function opensslVerify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
      const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]);
      return nodeVerify(null, msg, createPublicKey({ key: der, format: 'der', type: 'spki' }), sig);
    }

    describe('verify (cofactorless equation, as Go and OpenSSL)', () => {
      const seed = fromHex(RFC8032[0]!.seed);
      const pub = fromHex(RFC8032[0]!.publicKey);

      describe('when R carries a small-order component (R + T8, S recomputed)', () => {
        it('rejects it, as OpenSSL does, although the cofactored equation accepts it', () => {
          const msg = utf8('govfed torsion R');
          const sig = forge(seed, msg, pub, T8);
          expect(ed.verify(sig, msg, pub, { zip215: false })).toBe(true); // noble's cofactored check
          expect(opensslVerify(sig, msg, pub)).toBe(false);
          expect(verify(sig, msg, pub)).toBe(false);
        });
      });

      describe('when the public key is A + T8 (a mixed-order key)', () => {
        it('agrees with OpenSSL on every one of 32 messages', () => {
          const mixed = ed.Point.fromBytes(pub, false).add(T8).toBytes();
          for (let i = 0; i < 32; i++) {
            const msg = utf8(`mixed-order key ${i}`);
            const sig = forge(seed, msg, mixed);
            expect(verify(sig, msg, mixed)).toBe(opensslVerify(sig, msg, mixed));
          }
        });
      });

      describe('when the signature is honest', () => {
        it('accepts it (the forge helper reproduces RFC 8032 signing)', () => {
          const msg = utf8('honest');
          const sig = forge(seed, msg, pub);
          expect(toHex(sig)).toBe(toHex(sign(msg, seed)));
          expect(verify(sig, msg, pub)).toBe(true);
        });
      });
    });
  });
}

describe('strictVerifier', () => {
  const v = RFC8032[1];
  const sig = fromHex(v.signature);
  const msg = fromHex(v.message);
  const pub = fromHex(v.publicKey);

  describe('when its equation accepts everything', () => {
    const lax = strictVerifier(() => true);

    it('still checks every strictness rule itself first: lengths, S < L, A and R not of small order, A canonical', () => {
      expect(lax(sig, msg, pub)).toBe(true); // the equation decides only what the rules let through
      expect(lax(sig.subarray(1), msg, pub)).toBe(false);
      expect(lax(sig, msg, pub.subarray(1))).toBe(false);
      expect(lax(withSPlusL(sig), msg, pub)).toBe(false);
      const identity = fromHex('0100000000000000000000000000000000000000000000000000000000000000');
      expect(lax(sig, msg, identity)).toBe(false); // A of small order
      const smallR = Uint8Array.from(sig);
      smallR.set(identity, 0);
      expect(lax(smallR, msg, pub)).toBe(false); // R of small order
      const nonCanonical = fromHex('f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
      expect(lax(sig, msg, nonCanonical)).toBe(false);
    });

    it('changes nothing for anyone else: the default verify still rejects a bad signature', () => {
      const bad = Uint8Array.from(sig);
      bad[0] = (bad[0] as number) ^ 1;
      expect(lax(bad, msg, pub)).toBe(true);
      expect(verify(bad, msg, pub)).toBe(false);
      expect(nodeVerifier(bad, msg, pub)).toBe(false);
    });
  });

  describe('when its equation throws', () => {
    it('returns false', () => {
      const throwing = strictVerifier(() => {
        throw new Error('boom');
      });
      expect(throwing(sig, msg, pub)).toBe(false);
    });
  });
});

describe('assertSignature', () => {
  describe('when a verifier is injected', () => {
    it('decides with it', () => {
      const v = RFC8032[1];
      const calls: number[] = [];
      const counting = (s: Uint8Array, m: Uint8Array, p: Uint8Array) => {
        calls.push(1);
        return nodeVerifier(s, m, p);
      };
      expect(() =>
        assertSignature(fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey), 't', { verify: counting }),
      ).not.toThrow();
      expect(calls).toHaveLength(1);
      expect(() =>
        assertSignature(fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey), 't', { verify: () => false }),
      ).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when the signature is bad', () => {
    it('throws ERR_BAD_SIGNATURE, and passes a good one', () => {
      const v = RFC8032[1];
      expect(() => assertSignature(fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey), 't')).not.toThrow();
      expect(() => assertSignature(fromHex(v.signature), utf8('other'), fromHex(v.publicKey), 't')).toThrow(
        code('ERR_BAD_SIGNATURE'),
      );
    });
  });
});

describe('generateKeyPair', () => {
  describe('when called twice', () => {
    it('gives distinct working key pairs', () => {
      const a = generateKeyPair();
      const b = generateKeyPair();
      expect(toHex(a.seed)).not.toBe(toHex(b.seed));
      expect(keyPairFromSeed(a.seed).publicKey).toEqual(a.publicKey);
      expect(verify(sign(utf8('m'), a.seed), utf8('m'), a.publicKey)).toBe(true);
      expect(verify(sign(utf8('m'), a.seed), utf8('m'), b.publicKey)).toBe(false);
    });
  });
});
