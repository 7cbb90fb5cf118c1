import { describe, expect, it } from 'vitest';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { ALG_COSIGNATURE_V1, ALG_ED25519, parseSignerKey, verifyCosignature } from '../../../protocol/note/index.ts';
import {
  parseLogKey,
  parseWitnessKey,
  witnessName,
  witnessSigner,
  witnessSignerKey,
  witnessVerifierKey,
} from '../../../protocol/witness/keys.ts';
import { buildLog, checkpointOf, logKey, logName, NOW_S } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const SEED = new Uint8Array(32).fill(7);
const PUB = keyPairFromSeed(SEED).publicKey;

describe('witnessName', () => {
  describe('when given an org', () => {
    it('is govfed/<org>/witness', () => {
      expect(witnessName('eu')).toBe('govfed/eu/witness');
    });
  });
});

describe('witnessVerifierKey / parseWitnessKey', () => {
  describe('when made from a public key', () => {
    it('is a cosignature/v1 vkey under the witness name that parses back', () => {
      const vkey = witnessVerifierKey('eu', PUB);
      expect(vkey.startsWith('govfed/eu/witness+')).toBe(true);
      const v = parseWitnessKey(vkey);
      expect([v.name, v.alg, v.vkey]).toEqual(['govfed/eu/witness', ALG_COSIGNATURE_V1, vkey]);
      expect(v.publicKey).toEqual(PUB);
    });
  });

  describe('when the key is an Ed25519 note key or malformed', () => {
    it('throws ERR_MALFORMED_VERIFIER_KEY', () => {
      expect(() => parseWitnessKey(logKey(0))).toThrow(code('ERR_MALFORMED_VERIFIER_KEY'));
      expect(() => parseWitnessKey('govfed/eu/witness+00000000+AAAA')).toThrow(code('ERR_MALFORMED_VERIFIER_KEY'));
    });
  });
});

describe('parseLogKey', () => {
  describe('when given a log key', () => {
    it('gives an Ed25519 verifier named after the origin', () => {
      const v = parseLogKey(logKey(0));
      expect([v.name, v.alg]).toEqual([logName(0), ALG_ED25519]);
    });
  });

  describe('when given a witness key', () => {
    it('throws ERR_MALFORMED_VERIFIER_KEY', () => {
      expect(() => parseLogKey(witnessVerifierKey('eu', PUB))).toThrow(code('ERR_MALFORMED_VERIFIER_KEY'));
    });
  });
});

describe('witnessSigner / witnessSignerKey', () => {
  describe('when cosigning a checkpoint', () => {
    it('makes cosignatures the witness key verifies, stamped by the clock', () => {
      const signer = witnessSigner('eu', SEED, () => NOW_S + 0.9);
      const note = checkpointOf(1, buildLog(3), 3);
      const text = note.slice(0, note.indexOf('\n\n') + 1);
      const sig = { name: signer.name, keyHash: signer.keyHash, signature: signer.sign(utf8(text)) };
      expect(verifyCosignature(text, sig, parseWitnessKey(witnessVerifierKey('eu', PUB)))).toEqual({
        timestamp: NOW_S,
      });
    });

    it('has a secret key string that parses to the same signer', () => {
      const skey = witnessSignerKey('eu', SEED);
      expect(skey.startsWith('PRIVATE+KEY+govfed/eu/witness+')).toBe(true);
      const parsed = parseSignerKey(skey, { now: () => NOW_S });
      expect([parsed.name, parsed.keyHash]).toEqual(['govfed/eu/witness', witnessSigner('eu', SEED, () => 0).keyHash]);
    });
  });
});
