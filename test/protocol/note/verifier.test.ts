import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromBase64, fromHex, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { cosignatureSignerKey, cosignatureVerifier, signCosignature } from '../../../protocol/note/cosignature.ts';
import { formatKeyHash } from '../../../protocol/note/key-id.ts';
import { signNote } from '../../../protocol/note/note.ts';
import {
  ALG_COSIGNATURE_V1,
  ALG_ED25519,
  ed25519Signer,
  ed25519SignerKey,
  ed25519VerifierKey,
  keyHash,
  parseSignerKey,
  parseVerifierKey,
} from '../../../protocol/note/verifier.ts';
import { vectorPath } from '../../helpers/paths.ts';

interface VectorFile {
  keys: Record<string, string>;
  seedsHex: Record<string, string>;
}
const vectorFile = JSON.parse(readFileSync(vectorPath('signed-note.json'), 'utf8')) as VectorFile;

// From the package documentation of golang.org/x/mod/sumdb/note.
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_SEED = fromBase64('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz').slice(1);

const code = (c: string) => expect.objectContaining({ code: c });

/** A syntactically valid vkey whose hash matches `keyWithAlg` under `name`. */
function vkeyFor(name: string, keyWithAlg: Uint8Array): string {
  return `${name}+${formatKeyHash(keyHash(name, keyWithAlg))}+${toBase64(keyWithAlg)}`;
}

describe('ed25519VerifierKey', () => {
  describe('when rebuilding the vector keys from their seeds', () => {
    it.each(Object.keys(vectorFile.keys))('reproduces %s byte for byte', (name) => {
      const signer = ed25519Signer(name, fromHex(vectorFile.seedsHex[name]!));
      expect(ed25519VerifierKey(name, signer.publicKey)).toBe(vectorFile.keys[name]);
    });
  });

  describe('when the name is invalid', () => {
    it('throws ERR_INVALID_INPUT', () => {
      const pub = parseVerifierKey(GO_VKEY).publicKey;
      expect(() => ed25519VerifierKey('a+b', pub)).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => ed25519VerifierKey('a b', pub)).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('ed25519SignerKey', () => {
  describe('when given the Go documentation seed', () => {
    it("reproduces Go's PRIVATE+KEY string", () => {
      expect(ed25519SignerKey('PeterNeumann', GO_SEED)).toBe(GO_SKEY);
    });
  });

  describe('when the seed has the wrong length', () => {
    it('throws ERR_INVALID_LENGTH', () => {
      expect(() => ed25519SignerKey('x', new Uint8Array(31))).toThrow(code('ERR_INVALID_LENGTH'));
    });
  });
});

describe('ed25519Signer', () => {
  describe('when built from a seed', () => {
    it('has the key ID of its verifier key', () => {
      const s = ed25519Signer('PeterNeumann', GO_SEED);
      expect(s.keyHash).toBe(0xc74f20a3);
      expect(ed25519VerifierKey('PeterNeumann', s.publicKey)).toBe(GO_VKEY);
    });
  });

  describe('when the name is invalid', () => {
    it('throws ERR_INVALID_INPUT', () => {
      expect(() => ed25519Signer('', GO_SEED)).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('parseVerifierKey', () => {
  describe('when given the vector keys', () => {
    it.each(Object.entries(vectorFile.keys))('parses %s', (name, vkey) => {
      const v = parseVerifierKey(vkey);
      expect(v.name).toBe(name);
      expect(v.alg).toBe(ALG_ED25519);
      expect(v.vkey).toBe(vkey);
      expect(formatKeyHash(v.keyHash)).toBe(vkey.split('+')[1]);
      expect(v.publicKey).toHaveLength(32);
    });
  });

  describe('when given the Go documentation key', () => {
    it('verifies the signature Go made', () => {
      const v = parseVerifierKey(GO_VKEY);
      const text =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
      const raw = fromBase64(
        'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=',
      );
      expect(v.verify(new TextEncoder().encode(text), raw.slice(4))).toBe(true);
      expect(v.verify(new TextEncoder().encode(`${text} `), raw.slice(4))).toBe(false);
    });
  });

  describe('when the key is a cosignature/v1 key (type 0x04)', () => {
    it('returns a cosignature verifier', () => {
      const seed = new Uint8Array(32).fill(9);
      const pub = ed25519Signer('w.example/1', seed).publicKey;
      const v = parseVerifierKey(vkeyFor('w.example/1', concatBytes(Uint8Array.of(ALG_COSIGNATURE_V1), pub)));
      expect(v.alg).toBe(ALG_COSIGNATURE_V1);
      const text = `log.example\n1\n${toBase64(new Uint8Array(32))}\n`;
      const sig = signCosignature(text, 'w.example/1', seed, 1_700_000_000);
      expect(sig.keyHash).toBe(v.keyHash);
      expect(v.verify(new TextEncoder().encode(text), sig.signature)).toBe(true);
    });
  });

  describe('when the key string is malformed', () => {
    const pub = fromBase64('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW').slice(1);
    const withAlg = (alg: number, key: Uint8Array) => concatBytes(Uint8Array.of(alg), key);
    const smallOrder = concatBytes(Uint8Array.of(1), new Uint8Array(31)); // the identity point
    it.each([
      ['a wrong key ID', 'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
      ['another name with the same key ID', 'PeterNeumannX+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
      ['upper-case hex', 'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
      ['a short key ID', 'PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
      ['a missing field', 'PeterNeumann+c74f20a3'],
      ['an unknown signature type (0x02)', vkeyFor('PeterNeumann', withAlg(0x02, pub))],
      ['the reserved signature type 0xff', vkeyFor('PeterNeumann', withAlg(0xff, pub))],
      ['a name with "+"', `Peter+${vkeyFor('Neumann', withAlg(1, pub))}`],
      ['a name with a space', vkeyFor('Peter Neumann', withAlg(1, pub))],
      ['a name with a no-break space', vkeyFor('Peter\u00a0Neumann', withAlg(1, pub))],
      ['a name with a newline', vkeyFor('Peter\nNeumann', withAlg(1, pub))],
      ['an empty name', vkeyFor('', withAlg(1, pub))],
      ['a 31-byte key', vkeyFor('PeterNeumann', withAlg(1, pub.slice(1)))],
      ['a 33-byte key', vkeyFor('PeterNeumann', withAlg(1, concatBytes(pub, Uint8Array.of(0))))],
      ['a type byte only', vkeyFor('PeterNeumann', Uint8Array.of(1))],
      ['a 31-byte cosignature key', vkeyFor('PeterNeumann', withAlg(4, pub.slice(1)))],
      ['a small-order public key', vkeyFor('PeterNeumann', withAlg(1, smallOrder))],
      ['a small-order cosignature key', vkeyFor('PeterNeumann', withAlg(4, smallOrder))],
      ['non-canonical base64', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX'],
      ['unpadded base64', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T'],
      ['trailing whitespace', `${GO_VKEY} `],
      ['an oversized string', `${GO_VKEY}${'A'.repeat(9000)}`],
      ['an empty string', ''],
    ])('rejects %s with ERR_MALFORMED_VERIFIER_KEY', (_why, vkey) => {
      expect(() => parseVerifierKey(vkey)).toThrow(code('ERR_MALFORMED_VERIFIER_KEY'));
    });

    it('rejects a non-string with ERR_MALFORMED_VERIFIER_KEY', () => {
      expect(() => parseVerifierKey(42 as unknown as string)).toThrow(code('ERR_MALFORMED_VERIFIER_KEY'));
    });
  });
});

describe('parseSignerKey', () => {
  describe('when given the Go documentation signer key', () => {
    it('signs the Go example note byte for byte', () => {
      const text =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
      expect(signNote(text, [parseSignerKey(GO_SKEY)])).toBe(
        `${text}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      );
    });
  });

  describe('when the key string is a cosignature/v1 signer key', () => {
    const skey = cosignatureSignerKey('w.example/1', GO_SEED);

    it('needs a clock', () => {
      expect(() => parseSignerKey(skey)).toThrow(code('ERR_MALFORMED_SIGNER_KEY'));
    });

    it('gives a cosigner with the key ID of the cosignature verifier key', () => {
      const signer = parseSignerKey(skey, { now: () => 1_700_000_000 });
      const verifier = cosignatureVerifier('w.example/1', ed25519Signer('x', GO_SEED).publicKey);
      expect(signer.keyHash).toBe(verifier.keyHash);
      const text = new TextEncoder().encode(`log.example\n1\n${toBase64(new Uint8Array(32))}\n`);
      expect(verifier.verify(text, signer.sign(text))).toBe(true);
    });
  });

  describe('when the key string is malformed', () => {
    it.each([
      ['a wrong key ID', 'PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'],
      ['a key ID of another name', 'PRIVATE+KEY+PeterNeumannX+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'],
      ['no PRIVATE+KEY prefix', 'PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'],
      ['a lower-case prefix', 'private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'],
      ['an unknown type', `PRIVATE+KEY+PeterNeumann+c74f20a3+${toBase64(concatBytes(Uint8Array.of(2), GO_SEED))}`],
      [
        'a short seed',
        `PRIVATE+KEY+PeterNeumann+c74f20a3+${toBase64(concatBytes(Uint8Array.of(1), GO_SEED.slice(1)))}`,
      ],
      ['a verifier key', GO_VKEY],
    ])('rejects %s with ERR_MALFORMED_SIGNER_KEY', (_why, skey) => {
      expect(() => parseSignerKey(skey)).toThrow(code('ERR_MALFORMED_SIGNER_KEY'));
    });
  });
});
