import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../../cli/exit.ts';
import { main } from '../../../cli/main.ts';
import { bufferIo } from '../../../cli/output.ts';
import { createProofBundle, type DecisionLeaf, encodeLeaf, type ProofBundle } from '../../../protocol/audit/index.ts';
import { generateKeyPair } from '../../../protocol/crypto/ed25519.ts';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { MemoryTree, proveInclusion } from '../../../protocol/log/index.ts';
import { ed25519Signer, ed25519VerifierKey, signCheckpoint } from '../../../protocol/note/index.ts';
import { makeTempDir, removeDir } from '../../helpers/cli.ts';

const ORIGIN = 'govfed/acme/0badc0de';

function leaf(i: number): DecisionLeaf {
  return {
    v: 1,
    type: 'decision',
    model: 'credit-v2',
    time: '2025-01-02T03:04:05Z',
    decisionId: `d-${i}`,
    recordDigest: `sha256:${'ab'.repeat(32)}`,
    outcome: i % 2 === 0 ? 'approve' : 'deny',
  };
}

/** A real bundle: 7 leaves in a Merkle tree, a checkpoint signed with a fresh key, the proof of entry 3. */
async function makeBundle(origin = ORIGIN) {
  const key = generateKeyPair();
  const signer = ed25519Signer(origin, key.seed);
  const vkey = ed25519VerifierKey(origin, key.publicKey);
  const tree = new MemoryTree();
  const entries = Array.from({ length: 7 }, (_, i) => encodeLeaf(leaf(i)));
  for (const e of entries) tree.append(e);
  const checkpoint = signCheckpoint({ origin, size: tree.size, rootHash: tree.root(), extensions: [] }, signer);
  const bundle = createProofBundle({
    index: 3,
    treeSize: tree.size,
    entry: entries[3] as Uint8Array,
    proof: await proveInclusion(3, tree.size, tree),
    checkpoint,
    verifierKey: vkey,
  });
  return { bundle, vkey };
}

let tmp: string;
let good: { bundle: ProofBundle; vkey: string };
let other: { bundle: ProofBundle; vkey: string };

beforeAll(async () => {
  tmp = await makeTempDir();
  good = await makeBundle();
  other = await makeBundle('govfed/other/12345678');
});

afterAll(async () => {
  await removeDir(tmp);
});

let n = 0;
async function file(content: unknown): Promise<string> {
  const f = path.join(tmp, `b${n++}.json`);
  await writeFile(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

async function run(...argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('govfed verify', () => {
  describe('when the bundle verifies under the pinned key', () => {
    it('exits 0, prints the entry and no warning', async () => {
      const r = await run('verify', await file(good.bundle), '--key', good.vkey);
      expect(r.code).toBe(ExitCode.OK);
      expect(r.out).toContain('OK: entry 3');
      expect(r.out).toContain('d-3');
      expect(r.err).toBe('');
    });

    it('prints the result as JSON with --json', async () => {
      const r = await run('verify', await file(good.bundle), '--key', good.vkey, '--json');
      expect(JSON.parse(r.out)).toMatchObject({
        ok: true,
        index: 3,
        treeSize: 7,
        origin: ORIGIN,
        keyPinned: true,
        leaf: { decisionId: 'd-3' },
      });
    });
  });

  describe('when no key is pinned', () => {
    it('exits 0 but warns that the key came from the bundle', async () => {
      const r = await run('verify', await file(good.bundle));
      expect(r.code).toBe(ExitCode.OK);
      expect(r.err).toContain('warning');
      expect(r.out).toContain('NO (key taken from the bundle)');
    });
  });

  describe('when the bundle does not verify', () => {
    const cases: [string, (b: ProofBundle) => unknown, string][] = [
      [
        'a tampered entry',
        (b) => ({ ...b, entry: toBase64(encodeLeaf({ ...leaf(3), outcome: 'approve' })) }),
        'ERR_LEAF_HASH_MISMATCH',
      ],
      ['a wrong index', (b) => ({ ...b, index: 2 }), 'ERR_ROOT_MISMATCH'],
      ['a truncated proof', (b) => ({ ...b, proof: b.proof.slice(1) }), 'ERR_PROOF_SIZE'],
      ['a tampered checkpoint', (b) => ({ ...b, checkpoint: b.checkpoint.replace('\n7\n', '\n8\n') }), 'ERR_'],
      ['an unknown field', (b) => ({ ...b, extra: 1 }), 'ERR_MALFORMED_BUNDLE'],
      ['a JSON array', () => [], 'ERR_MALFORMED_BUNDLE'],
      ['not JSON', () => '{"format":', 'ERR_MALFORMED_BUNDLE'],
    ];

    it.each(cases)('exits 1 with the failing code for %s', async (_name, tamper, code) => {
      const t = tamper(good.bundle);
      const r = await run('verify', await file(t), '--key', good.vkey);
      expect(r.code).toBe(ExitCode.CHECK_FAILED);
      expect(r.err).toContain(code);
    });

    it('exits 1 with ERR_UNKNOWN_KEY when pinned to another key', async () => {
      const r = await run('verify', await file(good.bundle), '--key', other.vkey);
      expect(r.code).toBe(ExitCode.CHECK_FAILED);
      expect(r.err).toContain('ERR_UNKNOWN_KEY');
    });

    it("exits 1 when a bundle's checkpoint is signed by another key than the one it names", async () => {
      const r = await run('verify', await file({ ...good.bundle, checkpoint: other.bundle.checkpoint }));
      expect(r.code).toBe(ExitCode.CHECK_FAILED);
    });

    it('prints {ok:false, error} with --json', async () => {
      const r = await run('verify', await file({ ...good.bundle, index: 2 }), '--key', good.vkey, '--json');
      expect(JSON.parse(r.out)).toEqual({
        ok: false,
        error: { code: 'ERR_ROOT_MISMATCH', message: expect.any(String) },
      });
    });

    it('exits 1 for a file larger than any bundle', async () => {
      const r = await run('verify', await file('x'.repeat(300 * 1024)), '--key', good.vkey);
      expect(r.code).toBe(ExitCode.CHECK_FAILED);
      expect(r.err).toContain('ERR_MALFORMED_BUNDLE');
    });
  });

  describe('when the command line is wrong', () => {
    it('exits 2 for a malformed --key', async () => {
      const r = await run('verify', await file(good.bundle), '--key', 'not-a-key');
      expect(r.code).toBe(ExitCode.USAGE);
    });

    it('exits 4 when the file cannot be read', async () => {
      const r = await run('verify', path.join(tmp, 'missing.json'));
      expect(r.code).toBe(ExitCode.ERROR);
      expect(r.err).toContain('ERR_READ_FILE');
    });
  });
});
