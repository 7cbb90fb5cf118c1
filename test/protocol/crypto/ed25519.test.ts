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

/**
 * RFC 8032 §7.1 "Test Vectors for Ed25519" (https://www.rfc-editor.org/rfc/rfc8032#section-7.1):
 * SECRET KEY (the 32-byte seed), PUBLIC KEY, MESSAGE, SIGNATURE, transcribed as hex.
 */
const RFC8032 = [
  {
    name: 'TEST 1',
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2',
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3',
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    name: 'TEST 1024',
    seed: 'f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5',
    publicKey: '278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e',
    message: [
      '08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1',
      'e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d',
      '658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a',
      '7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e',
      '06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10',
      '3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1',
      '85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d',
      '502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270',
      '88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b',
      'eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba',
      'b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b',
      'e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7',
      '51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d',
      'cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df',
      'f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7',
      '984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4',
      '88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09',
      '43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f',
      'b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161',
      '0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d',
      'b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca',
      'c60c905c15fc910840b94c00a0b9d0',
    ].join(''),
    signature:
      '0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03',
  },
  {
    name: 'TEST SHA(abc)',
    seed: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    publicKey: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    // The message is SHA-512("abc").
    message:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signature:
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
] as const;

/** The order of the prime-order subgroup (RFC 8032 §5.1: L). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const leToBig = (b: Uint8Array): bigint => {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i] as number);
  return n;
};
const bigToLe = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
};

/** The signature with S replaced by S + L: the same scalar mod L, a second (non-canonical) encoding. */
function withSPlusL(signature: Uint8Array): Uint8Array {
  const out = Uint8Array.from(signature);
  out.set(bigToLe(leToBig(signature.subarray(32)) + L), 32);
  return out;
}

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
