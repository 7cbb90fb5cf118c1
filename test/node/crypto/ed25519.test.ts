/**
 * node/crypto/ed25519.ts: the node's Ed25519 verifier — protocol/'s strict rules with OpenSSL's
 * equation — is a value to inject, not a process-wide switch. Every RFC 8032 and adversarial vector
 * runs through it in test/protocol/crypto/ed25519.test.ts; here, random keys and messages.
 */
import { describe, expect, it } from 'vitest';
import { opensslEquation, opensslSign, opensslVerify } from '../../../node/crypto/ed25519.ts';
import { parseWitnessKey } from '../../../node/home/keys.ts';
import { keyPairFromSeed, sign, strictVerifier, verify } from '../../../protocol/crypto/ed25519.ts';
import { cosignatureSigner, cosignatureSignerKey } from '../../../protocol/note/cosignature.ts';

function rand(n: number, seed: number): Uint8Array {
  let x = seed >>> 0 || 1;
  return Uint8Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

describe('opensslVerify', () => {
  describe('on random keys, messages and one-bit corruptions', () => {
    it('gives the same answer as the pure verifier every time', () => {
      for (let i = 0; i < 64; i++) {
        const { seed, publicKey } = keyPairFromSeed(rand(32, i + 1));
        const msg = rand(i * 7, i + 1000);
        const sig = sign(msg, seed);
        expect(opensslVerify(sig, msg, publicKey)).toBe(true);
        const bad = Uint8Array.from(sig);
        bad[i % 64] = (bad[i % 64] as number) ^ (1 << (i % 8));
        expect(opensslVerify(bad, msg, publicKey)).toBe(verify(bad, msg, publicKey));
        expect(opensslVerify(bad, msg, publicKey)).toBe(false);
      }
    });
  });

  describe('when used', () => {
    it('switches nothing: the protocol default still runs its own equation', () => {
      const { seed, publicKey } = keyPairFromSeed(rand(32, 7));
      const msg = rand(40, 8);
      const sig = sign(msg, seed);
      let calls = 0;
      const counted = strictVerifier((s, m, p) => {
        calls++;
        return opensslEquation(s, m, p);
      });
      expect(counted(sig, msg, publicKey)).toBe(true);
      expect(opensslVerify(sig, msg, publicKey)).toBe(true);
      expect(verify(sig, msg, publicKey)).toBe(true);
      expect(calls).toBe(1); // only the verifier built with it called this equation
    });
  });
});

describe('opensslSign', () => {
  it("gives protocol/'s signature bytes (RFC 8032 is deterministic), for random seeds and messages", () => {
    for (let i = 0; i < 32; i++) {
      const seed = rand(32, i + 7);
      const msg = rand(i * 13, i + 2000);
      expect(Buffer.from(opensslSign(msg, seed))).toEqual(Buffer.from(sign(msg, seed)));
      expect(opensslSign(msg, seed)).toEqual(opensslSign(msg, seed)); // the key object, cached, again
    }
    expect(() => opensslSign(new Uint8Array(1), new Uint8Array(31))).toThrow();
  });

  it("is what the node's witness key cosigns with: the same cosignature as protocol/'s signer", () => {
    const seed = rand(32, 99);
    const text = 'govfed/eu/log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';
    const node = parseWitnessKey(cosignatureSignerKey('eu-witness', seed), () => 1_750_000_000).signer;
    const pure = cosignatureSigner('eu-witness', seed, () => 1_750_000_000);
    expect(Buffer.from(node.sign(new TextEncoder().encode(text)))).toEqual(
      Buffer.from(pure.sign(new TextEncoder().encode(text))),
    );
  });
});
