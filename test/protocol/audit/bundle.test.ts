import { describe, expect, it } from 'vitest';
import {
  BUNDLE_FORMAT,
  createProofBundle,
  type ProofBundle,
  verifyProofBundle,
} from '../../../protocol/audit/bundle.ts';
import { encodeLeaf, type Leaf } from '../../../protocol/audit/leaf.ts';
import { fromBase64, toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { MemoryTree, proveInclusion } from '../../../protocol/log/index.ts';
import { ed25519Signer, ed25519VerifierKey, signCheckpoint } from '../../../protocol/note/index.ts';

const ORIGIN = 'govfed/acme/0123abcd';
const OTHER = 'govfed/other/89abcdef';
const seedA = new Uint8Array(32).fill(1);
const seedB = new Uint8Array(32).fill(2);
const signerA = ed25519Signer(ORIGIN, seedA);
const vkeyA = ed25519VerifierKey(ORIGIN, signerA.publicKey);
const signerB = ed25519Signer(OTHER, seedB);
const vkeyB = ed25519VerifierKey(OTHER, signerB.publicKey);

function leafAt(i: number): Leaf {
  return {
    v: 1,
    type: 'decision',
    model: 'credit-scorer',
    time: '2025-01-02T03:04:05Z',
    decisionId: `d-${i}`,
    recordDigest: `sha256:${i.toString(16).padStart(64, '0')}`,
    outcome: i % 2 ? 'approve' : 'deny',
  };
}

/** A log of `size` leaves signed by `signer`, with a bundle for leaf `index`. */
async function makeBundle(size = 13, index = 5, signer = signerA, vkey = vkeyA): Promise<ProofBundle> {
  const tree = new MemoryTree();
  const entries = Array.from({ length: size }, (_, i) => encodeLeaf(leafAt(i)));
  for (const e of entries) tree.append(e);
  const checkpoint = signCheckpoint({ origin: signer.name, size, rootHash: tree.root(), extensions: [] }, signer);
  return createProofBundle({
    index,
    treeSize: size,
    entry: entries[index] as Uint8Array,
    proof: await proveInclusion(index, size, tree),
    checkpoint,
    verifierKey: vkey,
  });
}

const code = (c: string) => expect.objectContaining({ code: c });

function flipBase64(s: string, byte = 0): string {
  const b = fromBase64(s);
  b[byte] = (b[byte] as number) ^ 1;
  return toBase64(b);
}

describe('verifyProofBundle', () => {
  describe('when the bundle is valid', () => {
    it('returns the leaf, origin and root, unpinned without a key', async () => {
      const bundle = await makeBundle();
      const out = verifyProofBundle(bundle);
      expect(out).toMatchObject({ index: 5, treeSize: 13, origin: ORIGIN, keyPinned: false, leaf: leafAt(5) });
      expect(out.rootHash).toHaveLength(32);
    });

    it('is pinned when the pinned key is the bundle key', async () => {
      expect(verifyProofBundle(await makeBundle(), { verifierKey: vkeyA }).keyPinned).toBe(true);
    });

    it('accepts the JSON text and bytes of a bundle', async () => {
      const json = JSON.stringify(await makeBundle());
      expect(verifyProofBundle(json).index).toBe(5);
      expect(verifyProofBundle(utf8(json)).index).toBe(5);
    });

    it('verifies every leaf of trees of many sizes', async () => {
      for (const size of [1, 2, 3, 7, 8, 9, 33]) {
        for (const index of [0, Math.floor(size / 2), size - 1]) {
          expect(verifyProofBundle(await makeBundle(size, index), { verifierKey: vkeyA }).leaf).toEqual(leafAt(index));
        }
      }
    });
  });

  describe('when the shape is wrong', () => {
    it.each<[string, (b: ProofBundle) => unknown]>([
      ['not an object', () => 42],
      ['an unknown field', (b) => ({ ...b, extra: 1 })],
      ['a missing field', ({ proof: _p, ...rest }) => rest],
      ['another format', (b) => ({ ...b, format: 'govfed-inclusion-proof/v2' })],
      ['a negative index', (b) => ({ ...b, index: -1 })],
      ['a string tree size', (b) => ({ ...b, treeSize: '13' })],
      ['non-canonical base64 in the entry', (b) => ({ ...b, entry: `${b.entry.slice(0, -2)}=` })],
      ['a short leaf hash', (b) => ({ ...b, leafHash: toBase64(new Uint8Array(31)) })],
      ['a proof that is not an array', (b) => ({ ...b, proof: 'x' })],
      ['a proof of 65 hashes', (b) => ({ ...b, proof: Array(65).fill(b.leafHash) })],
      ['an empty checkpoint', (b) => ({ ...b, checkpoint: '' })],
      ['an oversize entry', (b) => ({ ...b, entry: toBase64(new Uint8Array(4097)) })],
    ])('rejects %s with ERR_MALFORMED_BUNDLE', async (_what, mutate) => {
      const bundle = mutate(await makeBundle());
      expect(() => verifyProofBundle(bundle)).toThrow(code('ERR_MALFORMED_BUNDLE'));
    });

    it('rejects text that is not JSON', () => {
      expect(() => verifyProofBundle('{"format":')).toThrow(code('ERR_MALFORMED_BUNDLE'));
    });

    it('rejects bytes that are not UTF-8', () => {
      expect(() => verifyProofBundle(new Uint8Array([0x7b, 0xff]))).toThrow(code('ERR_MALFORMED_BUNDLE'));
    });
  });

  describe('when a key is pinned', () => {
    it('rejects a bundle for another key with ERR_UNKNOWN_KEY', async () => {
      const bundle = await makeBundle();
      expect(() => verifyProofBundle(bundle, { verifierKey: vkeyB })).toThrow(code('ERR_UNKNOWN_KEY'));
    });

    it('rejects a bundle whose key was swapped for an attacker key that signed the checkpoint', async () => {
      // The attacker signs a checkpoint of their own log under our origin name with their key.
      const attacker = ed25519Signer(ORIGIN, seedB);
      const forged = await makeBundle(13, 5, attacker, ed25519VerifierKey(ORIGIN, attacker.publicKey));
      expect(verifyProofBundle(forged).keyPinned).toBe(false); // verifies only as "some key"
      expect(() => verifyProofBundle(forged, { verifierKey: vkeyA })).toThrow(code('ERR_UNKNOWN_KEY'));
    });

    it('rejects a malformed pinned key', async () => {
      const bundle = await makeBundle();
      expect(() => verifyProofBundle(bundle, { verifierKey: 'nope' })).toThrow(code('ERR_MALFORMED_VERIFIER_KEY'));
    });
  });

  describe('when the checkpoint does not match the key', () => {
    it('rejects a checkpoint signed by another log with ERR_NO_VERIFIED_SIGNATURE', async () => {
      const bundle = await makeBundle();
      const other = await makeBundle(13, 5, signerB, vkeyB);
      expect(() => verifyProofBundle({ ...bundle, checkpoint: other.checkpoint })).toThrow(
        code('ERR_NO_VERIFIED_SIGNATURE'),
      );
    });

    it('rejects a checkpoint for another origin signed by the same key with ERR_ORIGIN_MISMATCH', async () => {
      const bundle = await makeBundle();
      const { rootHash } = verifyProofBundle(bundle);
      const foreign = signCheckpoint({ origin: OTHER, size: 13, rootHash, extensions: [] }, signerA);
      expect(() => verifyProofBundle({ ...bundle, checkpoint: foreign })).toThrow(code('ERR_ORIGIN_MISMATCH'));
    });

    it('rejects a tampered checkpoint text with ERR_BAD_SIGNATURE', async () => {
      const bundle = await makeBundle();
      expect(() => verifyProofBundle({ ...bundle, checkpoint: bundle.checkpoint.replace('\n13\n', '\n12\n') })).toThrow(
        code('ERR_BAD_SIGNATURE'),
      );
    });
  });

  describe('when the tree size is wrong', () => {
    it('rejects with ERR_TREE_SIZE_MISMATCH', async () => {
      const bundle = await makeBundle();
      expect(() => verifyProofBundle({ ...bundle, treeSize: 14 })).toThrow(code('ERR_TREE_SIZE_MISMATCH'));
    });

    it('rejects a proof for a smaller tree under a bigger checkpoint', async () => {
      const small = await makeBundle(12, 5);
      const big = await makeBundle(13, 5);
      expect(() => verifyProofBundle({ ...small, checkpoint: big.checkpoint })).toThrow(code('ERR_TREE_SIZE_MISMATCH'));
      expect(() => verifyProofBundle({ ...small, checkpoint: big.checkpoint, treeSize: 13 })).toThrow(
        code('ERR_ROOT_MISMATCH'),
      );
    });
  });

  describe('when the entry was tampered with', () => {
    it('rejects a changed entry with ERR_LEAF_HASH_MISMATCH', async () => {
      const bundle = await makeBundle();
      const other = await makeBundle(13, 6);
      expect(() => verifyProofBundle({ ...bundle, entry: other.entry })).toThrow(code('ERR_LEAF_HASH_MISMATCH'));
    });

    it('rejects a changed entry with a matching leaf hash with ERR_ROOT_MISMATCH', async () => {
      const bundle = await makeBundle();
      const other = await makeBundle(13, 6);
      expect(() => verifyProofBundle({ ...bundle, entry: other.entry, leafHash: other.leafHash })).toThrow(
        code('ERR_ROOT_MISMATCH'),
      );
    });

    it('rejects a well-proven entry that is not a leaf with ERR_MALFORMED_LEAF', async () => {
      const tree = new MemoryTree();
      tree.append(utf8('not a leaf'));
      tree.append(utf8('also not'));
      const checkpoint = signCheckpoint({ origin: ORIGIN, size: 2, rootHash: tree.root(), extensions: [] }, signerA);
      const bundle = createProofBundle({
        index: 0,
        treeSize: 2,
        entry: utf8('not a leaf'),
        proof: await proveInclusion(0, 2, tree),
        checkpoint,
        verifierKey: vkeyA,
      });
      expect(() => verifyProofBundle(bundle, { verifierKey: vkeyA })).toThrow(code('ERR_MALFORMED_LEAF'));
    });
  });

  describe('when the index is wrong', () => {
    it('rejects another index with ERR_ROOT_MISMATCH', async () => {
      const bundle = await makeBundle();
      expect(() => verifyProofBundle({ ...bundle, index: 4 })).toThrow(code('ERR_ROOT_MISMATCH'));
    });

    it('rejects an index outside the tree with ERR_INDEX_OUT_OF_RANGE', async () => {
      const bundle = await makeBundle();
      expect(() => verifyProofBundle({ ...bundle, index: 13 })).toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
    });
  });

  describe('when the proof was tampered with', () => {
    it('rejects a flipped bit with ERR_ROOT_MISMATCH', async () => {
      const bundle = await makeBundle();
      const proof = bundle.proof.map((h, i) => (i === 1 ? flipBase64(h) : h));
      expect(() => verifyProofBundle({ ...bundle, proof })).toThrow(code('ERR_ROOT_MISMATCH'));
    });

    it('rejects a truncated proof with ERR_PROOF_SIZE', async () => {
      const bundle = await makeBundle();
      expect(() => verifyProofBundle({ ...bundle, proof: bundle.proof.slice(1) })).toThrow(code('ERR_PROOF_SIZE'));
    });
  });

  describe('when the format constant is checked', () => {
    it('is the v1 format name', async () => {
      expect((await makeBundle()).format).toBe(BUNDLE_FORMAT);
      expect(BUNDLE_FORMAT).toBe('govfed-inclusion-proof/v1');
    });
  });
});
