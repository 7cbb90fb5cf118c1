import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyPairFromSeed, verify } from '../../../protocol/crypto/ed25519.ts';
import { parseEnvelope } from '../../../protocol/dsse/envelope.ts';
import { pae } from '../../../protocol/dsse/pae.ts';
import { keyIdOf, signEnvelope } from '../../../protocol/dsse/sign.ts';
import { fromBase64, fromHex, utf8 } from '../../../protocol/encoding/bytes.ts';

// Keys A and B of secure-systems-lab/dsse testvectors/vectors.json (commit 82043ad): the RFC 8032
// §7.1 TEST 1 and TEST 2 seeds. Ed25519 is deterministic, so the envelopes below are byte-exact.
const SEED_A = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const SEED_B = fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
const PUB_A = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const INTOTO = 'application/vnd.in-toto+json';
const STATEMENT_PAYLOAD = fromBase64('eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==');

const invalidInput = expect.objectContaining({ code: 'ERR_INVALID_INPUT' });

function spki(publicKey: Uint8Array) {
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

describe('keyIdOf', () => {
  describe('when given a valid public key', () => {
    it('is the lowercase hex SHA-256 of the 32 key bytes', () => {
      const expected = createHash('sha256').update(PUB_A).digest('hex');
      expect(keyIdOf(PUB_A)).toBe(expected);
      expect(keyIdOf(PUB_A)).toMatch(/^[0-9a-f]{64}$/);
    });

    it('differs between keys', () => {
      expect(keyIdOf(PUB_A)).not.toBe(keyIdOf(keyPairFromSeed(SEED_B).publicKey));
    });
  });

  describe('when given something that is not a public key', () => {
    it('rejects a wrong length', () => {
      expect(() => keyIdOf(PUB_A.subarray(0, 31))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }));
    });

    it('rejects a small-order point (the identity)', () => {
      const identity = new Uint8Array(32);
      identity[0] = 1;
      expect(() => keyIdOf(identity)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_KEY' }));
    });
  });
});

describe('signEnvelope', () => {
  describe('when signing the DSSE test vectors', () => {
    it('reproduces "single-signature" byte for byte', () => {
      const env = signEnvelope(INTOTO, STATEMENT_PAYLOAD, [{ keyid: 'A', seed: SEED_A }]);
      expect(env).toEqual({
        payloadType: INTOTO,
        payload: 'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==',
        signatures: [
          {
            keyid: 'A',
            sig: '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==',
          },
        ],
      });
    });

    it('reproduces "threshold-two-distinct-keys", signatures in signer order', () => {
      const env = signEnvelope(INTOTO, STATEMENT_PAYLOAD, [
        { keyid: 'A', seed: SEED_A },
        { keyid: 'B', seed: SEED_B },
      ]);
      expect(env.signatures.map((s) => s.keyid)).toEqual(['A', 'B']);
      expect(env.signatures[1]?.sig).toBe(
        'c1+67/aT0yqEpwx8PsVY3MLHsj9D0CZ014/Fv/QlG59P+9CobUZ7xECJ/V3USG0Ob9CiE5LjReEZUzNF2l7eBw==',
      );
    });

    it('reproduces "non-ascii-payload-type" (LEN counts UTF-8 bytes)', () => {
      const env = signEnvelope('application/vnd.exämple+json', STATEMENT_PAYLOAD, [{ keyid: 'A', seed: SEED_A }]);
      expect(env.signatures[0]?.sig).toBe(
        'xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw==',
      );
    });

    it('reproduces "empty-payload"', () => {
      const env = signEnvelope(INTOTO, new Uint8Array(0), [{ keyid: 'A', seed: SEED_A }]);
      expect(env.payload).toBe('');
      expect(env.signatures[0]?.sig).toBe(
        'gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg==',
      );
    });
  });

  describe('when a signature is checked by another implementation', () => {
    it('verifies over PAE with node:crypto (OpenSSL) as well as with protocol/crypto', () => {
      const payload = utf8('{"decision":"allow"}');
      const env = signEnvelope('application/vnd.govfed.test+json', payload, [{ keyid: 'A', seed: SEED_A }]);
      const sig = fromBase64(env.signatures[0]?.sig as string);
      const message = pae('application/vnd.govfed.test+json', payload);
      expect(verify(sig, message, PUB_A)).toBe(true);
      expect(nodeVerify(null, message, spki(PUB_A), sig)).toBe(true);
      expect(verify(sig, payload, PUB_A)).toBe(false); // the raw payload is not what was signed
    });
  });

  describe('when the keyid is empty', () => {
    it('writes the signature without a keyid', () => {
      const env = signEnvelope(INTOTO, STATEMENT_PAYLOAD, [{ keyid: '', seed: SEED_A }]);
      expect(env.signatures[0]).toEqual({
        sig: '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==',
      });
    });
  });

  describe('when the result is parsed back', () => {
    it('is a valid envelope', () => {
      const env = signEnvelope(INTOTO, utf8('x'), [
        { keyid: keyIdOf(PUB_A), seed: SEED_A },
        { keyid: 'b', seed: SEED_B },
      ]);
      expect(parseEnvelope(JSON.stringify(env))).toEqual(env);
    });
  });

  describe('when the inputs are invalid', () => {
    it('rejects an empty or ill-formed payload type', () => {
      expect(() => signEnvelope('', utf8('x'), [{ keyid: 'A', seed: SEED_A }])).toThrow(invalidInput);
      expect(() => signEnvelope('a\udc00', utf8('x'), [{ keyid: 'A', seed: SEED_A }])).toThrow(invalidInput);
    });

    it('rejects a payload that is not bytes', () => {
      expect(() => signEnvelope(INTOTO, 'x' as unknown as Uint8Array, [{ keyid: 'A', seed: SEED_A }])).toThrow(
        invalidInput,
      );
    });

    it('rejects no signers and more than 32', () => {
      expect(() => signEnvelope(INTOTO, utf8('x'), [])).toThrow(invalidInput);
      const many = Array.from({ length: 33 }, () => ({ keyid: 'A', seed: SEED_A }));
      expect(() => signEnvelope(INTOTO, utf8('x'), many)).toThrow(invalidInput);
    });

    it('rejects a keyid over 256 characters', () => {
      expect(() => signEnvelope(INTOTO, utf8('x'), [{ keyid: 'k'.repeat(257), seed: SEED_A }])).toThrow(invalidInput);
    });

    it('rejects a seed that is not 32 bytes', () => {
      expect(() => signEnvelope(INTOTO, utf8('x'), [{ keyid: 'A', seed: SEED_A.subarray(1) }])).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_LENGTH' }),
      );
    });
  });
});
