import { describe, expect, it } from 'vitest';
import { sealDecision } from '../../../protocol/audit/decision.ts';
import {
  DecisionExportVerifier,
  EXPORT_FORMAT,
  exportHeaderLine,
  exportRecordLine,
  MAX_EXPORT_RECORDS,
  verifyDecisionExport,
} from '../../../protocol/audit/export.ts';
import { encodeLeaf } from '../../../protocol/audit/leaf.ts';
import { MemoryTree, proveInclusion } from '../../../protocol/log/index.ts';
import { ed25519Signer, ed25519VerifierKey, signCheckpoint } from '../../../protocol/note/index.ts';

const ORIGIN = 'govfed/acme/0123abcd';
const OTHER = 'govfed/other/89abcdef';
const signerA = ed25519Signer(ORIGIN, new Uint8Array(32).fill(1));
const vkeyA = ed25519VerifierKey(ORIGIN, signerA.publicKey);
const signerB = ed25519Signer(ORIGIN, new Uint8Array(32).fill(2));
const signerOther = ed25519Signer(OTHER, new Uint8Array(32).fill(3));
const vkeyOther = ed25519VerifierKey(OTHER, signerOther.publicKey);

let counter = 0;
const random = (n: number) => new Uint8Array(n).fill(++counter % 256);

/** A log of 9 entries (decisions at even indexes, a governance event at 3) and its sealed decisions. */
function makeLog() {
  const tree = new MemoryTree();
  const sealed = new Map<number, ReturnType<typeof sealDecision>>();
  const entries: Uint8Array[] = [];
  for (let i = 0; i < 9; i++) {
    let leaf: Uint8Array;
    if (i === 3) {
      leaf = encodeLeaf({
        v: 1,
        type: 'governance',
        kind: 'node.init',
        time: '2026-01-01T00:00:00Z',
        digest: `sha256:${'0'.repeat(64)}`,
      });
    } else {
      const s = sealDecision(
        { model: 'scorer', decisionId: `d-${i}`, timestamp: `2026-01-0${1 + (i % 9)}T00:00:00Z`, output: { n: i } },
        { now: new Date(), random },
      );
      sealed.set(i, s);
      leaf = s.leafBytes;
    }
    entries.push(leaf);
    tree.append(leaf);
  }
  return { tree, sealed, entries };
}

/** The lines of an export of entries `indexes`, signed by `signer` (the header names `vkey`). */
async function makeExport(
  indexes: readonly number[] = [8, 6, 2],
  signer = signerA,
  vkey = vkeyA,
): Promise<{ header: string; lines: string[] }> {
  const { tree, sealed, entries } = makeLog();
  const size = 9;
  const checkpoint = signCheckpoint({ origin: signer.name, size, rootHash: tree.root(), extensions: [] }, signer);
  const header = exportHeaderLine({
    treeSize: size,
    checkpoint,
    verifierKey: vkey,
    count: indexes.length,
    query: { since: '7d' },
  });
  const lines: string[] = [];
  for (const i of indexes) {
    lines.push(
      exportRecordLine({
        index: i,
        entry: entries[i] as Uint8Array,
        record: sealed.get(i)?.record ?? { model: 'x' },
        proof: await proveInclusion(i, size, tree),
      }),
    );
  }
  return { header, lines };
}

const text = (e: { header: string; lines: string[] }) => `${[e.header, ...e.lines].join('\n')}\n`;
const code = (c: string) => expect.objectContaining({ code: c });

describe('verifyDecisionExport', () => {
  describe('when the export is valid', () => {
    it('returns the origin, tree size, count and query; pinned with the right key', async () => {
      const e = await makeExport();
      expect(verifyDecisionExport(text(e), { verifierKey: vkeyA })).toMatchObject({
        origin: ORIGIN,
        treeSize: 9,
        count: 3,
        query: { since: '7d' },
        keyPinned: true,
      });
      expect(verifyDecisionExport(text(e)).keyPinned).toBe(false);
    });

    it('accepts an empty export (no decision matched)', async () => {
      expect(verifyDecisionExport(text(await makeExport([]))).count).toBe(0);
    });

    it('gives each record and its leaf, line by line', async () => {
      const e = await makeExport();
      const v = DecisionExportVerifier.open(e.header);
      expect(v.header.format).toBe(EXPORT_FORMAT);
      const r = v.add(e.lines[0] as string);
      expect(r).toMatchObject({ index: 8, leaf: { decisionId: 'd-8' }, record: { decisionId: 'd-8' } });
    });
  });

  describe('step 3/2: the checkpoint and key', () => {
    it('fails ERR_NO_VERIFIED_SIGNATURE when the checkpoint is signed by another key than the file names', async () => {
      const e = await makeExport([8], signerB, vkeyA);
      expect(() => verifyDecisionExport(text(e))).toThrow(code('ERR_NO_VERIFIED_SIGNATURE'));
    });
    it('fails ERR_UNKNOWN_KEY when the file is signed by a key that is not the pinned one', async () => {
      const e = await makeExport([8], signerOther, vkeyOther);
      expect(() => verifyDecisionExport(text(e), { verifierKey: vkeyA })).toThrow(code('ERR_UNKNOWN_KEY'));
    });
    it('fails ERR_TREE_SIZE_MISMATCH when the header tree size is not the checkpoint’s', async () => {
      const e = await makeExport([8]);
      const h = JSON.parse(e.header);
      h.treeSize = 10;
      expect(() => verifyDecisionExport(text({ ...e, header: JSON.stringify(h) }))).toThrow(
        code('ERR_TREE_SIZE_MISMATCH'),
      );
    });
  });

  describe('step 8: the records', () => {
    it('fails ERR_RECORD_MISMATCH when a record was changed', async () => {
      const e = await makeExport();
      const line = JSON.parse(e.lines[1] as string);
      line.record.output = { n: 99 };
      e.lines[1] = JSON.stringify(line);
      expect(() => verifyDecisionExport(text(e))).toThrow(code('ERR_RECORD_MISMATCH'));
    });
    it('fails ERR_RECORD_MISMATCH when a record is swapped for another entry’s', async () => {
      const e = await makeExport();
      const a = JSON.parse(e.lines[0] as string);
      a.record = JSON.parse(e.lines[1] as string).record;
      e.lines[0] = JSON.stringify(a);
      expect(() => verifyDecisionExport(text(e))).toThrow(code('ERR_RECORD_MISMATCH'));
    });
  });

  describe('step 6/7: proofs and leaves', () => {
    it('fails ERR_ROOT_MISMATCH when a proof is wrong', async () => {
      const e = await makeExport();
      const a = JSON.parse(e.lines[0] as string);
      a.proof[0] = JSON.parse(e.lines[1] as string).proof[0];
      e.lines[0] = JSON.stringify(a);
      expect(() => verifyDecisionExport(text(e))).toThrow(code('ERR_ROOT_MISMATCH'));
    });
    it('fails ERR_ROOT_MISMATCH when the leaf was changed (with a record to match)', async () => {
      const e = await makeExport();
      const a = JSON.parse(e.lines[0] as string);
      const b = JSON.parse(e.lines[1] as string);
      a.entry = b.entry; // entry 6's leaf and record, with entry 8's index and proof
      a.record = b.record;
      e.lines[0] = JSON.stringify(a);
      expect(() => verifyDecisionExport(text(e))).toThrow(code('ERR_ROOT_MISMATCH'));
    });
    it('fails ERR_MALFORMED_LEAF for a governance entry', async () => {
      const e = await makeExport([3]);
      expect(() => verifyDecisionExport(text(e))).toThrow(code('ERR_MALFORMED_LEAF'));
    });
  });

  describe('steps 1, 5 and 9: the file’s shape', () => {
    it.each([
      [
        'a cut-short file',
        (e: { header: string; lines: string[] }) => `${[e.header, ...e.lines.slice(0, 2)].join('\n')}\n`,
      ],
      [
        'an added line',
        (e: { header: string; lines: string[] }) => `${[e.header, ...e.lines, e.lines[0]].join('\n')}\n`,
      ],
      [
        'a repeated entry',
        (e: { header: string; lines: string[] }) => `${[e.header, e.lines[0], e.lines[0], e.lines[1]].join('\n')}\n`,
      ],
      ['no final newline', (e: { header: string; lines: string[] }) => [e.header, ...e.lines].join('\n')],
      [
        'another format',
        (e: { header: string; lines: string[] }) => text({ ...e, header: e.header.replace(EXPORT_FORMAT, 'x/v1') }),
      ],
      [
        'an unknown header field',
        (e: { header: string; lines: string[] }) => text({ ...e, header: e.header.replace('{', '{"extra":1,') }),
      ],
      [
        'an unknown line field',
        (e: { header: string; lines: string[] }) =>
          text({ ...e, lines: e.lines.map((l) => l.replace('{', '{"extra":1,')) }),
      ],
      [
        'a line that is not JSON',
        (e: { header: string; lines: string[] }) => text({ ...e, lines: ['{', ...e.lines.slice(1)] }),
      ],
      [
        'too many records announced',
        (e: { header: string; lines: string[] }) =>
          text({ ...e, header: e.header.replace('"count":3', `"count":${MAX_EXPORT_RECORDS + 1}`) }),
      ],
      [
        'an index beyond the tree',
        (e: { header: string; lines: string[] }) =>
          text({ ...e, lines: [e.lines[0]!.replace('"index":8', '"index":9'), ...e.lines.slice(1)] }),
      ],
    ])('fails ERR_MALFORMED_EXPORT for %s', async (_, make) => {
      const e = await makeExport();
      expect(() => verifyDecisionExport(make(e))).toThrow(code('ERR_MALFORMED_EXPORT'));
    });
  });
});
