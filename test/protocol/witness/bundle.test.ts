import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUNDLE_FORMAT, createProofBundle } from '../../../protocol/audit/bundle.ts';
import { fromBase64, toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { nextCharter } from '../../../protocol/federation/charter.ts';
import { proveInclusion } from '../../../protocol/log/index.ts';
import { appendSignatures, type NoteSignature } from '../../../protocol/note/index.ts';
import { parseBundle, verifyBundle } from '../../../protocol/witness/any-bundle.ts';
import {
  CROSSORG_BUNDLE_FORMAT,
  type CrossOrgBundle,
  createCrossOrgBundle,
  verifyCrossOrgBundle,
} from '../../../protocol/witness/bundle.ts';
import { witnessSigner, witnessVerifierKey } from '../../../protocol/witness/keys.ts';
import { signedBy } from '../federation/fixtures.ts';
import {
  buildLog,
  checkpointOf,
  type Federation,
  federation,
  logKey,
  logName,
  NOW_S,
  witness,
  witnessKey,
} from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

// eu (0), us (1), apac (2) found the federation; latam (3) is admitted in version 2. k for eu = 2 of 3.
const FED = federation([0, 1, 2], { admitted: [3] });
const log = buildLog(13);
const INDEX = 6;
const SIZE = 13;

function cosign(note: string, witnesses: readonly number[], now = NOW_S): string {
  const text = note.slice(0, note.indexOf('\n\n') + 1);
  const sigs: NoteSignature[] = witnesses.map((i) => {
    const w = witness(i, now);
    return { name: w.name, keyHash: w.keyHash, signature: w.sign(utf8(text)) };
  });
  return appendSignatures(note, sigs);
}

async function makeBundle(
  opts: { witnesses?: readonly number[]; fed?: Federation; keys?: readonly string[]; now?: number } = {},
): Promise<CrossOrgBundle> {
  const witnesses = opts.witnesses ?? [1, 3];
  const fed = opts.fed ?? FED;
  return createCrossOrgBundle({
    origin: logName(0),
    index: INDEX,
    treeSize: SIZE,
    entry: log.entries[INDEX] as Uint8Array,
    inclusion: await proveInclusion(INDEX, SIZE, log.tree),
    checkpoint: cosign(checkpointOf(0, log, SIZE), witnesses, opts.now),
    logKey: logKey(0),
    witnessKeys: opts.keys ?? witnesses.map(witnessKey),
    federation: { id: fed.id, charters: fed.envelopes },
  });
}

const BUNDLE = await makeBundle();

/** FED after eu rotated its log key (keys rotate --log): logKey(0) is now in eu's retiredLogKeys. */
function rotatedFederation(): Federation {
  const members = FED.charter.members.map((m) =>
    m.org === 'eu' ? { ...m, logKey: logKey(4), retiredLogKeys: [logKey(0)] } : m,
  );
  const next = nextCharter(FED.charter, { createdAt: '2025-03-01T00:00:00Z', members });
  return { ...FED, charter: next, envelopes: [...FED.envelopes, signedBy(next, [0])] };
}

describe('verifyCrossOrgBundle', () => {
  describe("when the log key is one of the owner's retired log keys", () => {
    it('verifies and says the log is retired', async () => {
      const fed = rotatedFederation();
      const v = verifyCrossOrgBundle(await makeBundle({ fed }), { federationId: fed.id, now: NOW_S * 1000 });
      expect(v).toMatchObject({ org: 'eu', origin: logName(0), retired: true, charterVersion: 3 });
      expect('retired' in verifyCrossOrgBundle(BUNDLE, { federationId: FED.id, now: NOW_S * 1000 })).toBe(false);
    });
  });

  describe('when the bundle is honest and has k cosignatures', () => {
    it('verifies and says what it proved', () => {
      const v = verifyCrossOrgBundle(BUNDLE, { federationId: FED.id, now: NOW_S * 1000 });
      expect(v).toMatchObject({
        origin: logName(0),
        org: 'eu',
        index: INDEX,
        treeSize: SIZE,
        cosigners: ['latam', 'us'],
        k: 2,
        federationId: FED.id,
        charterVersion: 2,
        federationPinned: true,
      });
      expect(v.rootHash).toEqual(log.roots[SIZE]);
      expect(v.leaf).toMatchObject({ type: 'governance', kind: 'test.entry' });
    });

    it('verifies from its JSON text and bytes, unpinned', () => {
      const json = JSON.stringify(BUNDLE);
      expect(verifyCrossOrgBundle(json).federationPinned).toBe(false);
      expect(verifyCrossOrgBundle(utf8(json)).cosigners).toEqual(['latam', 'us']);
    });

    it('verifies with every other member cosigning', async () => {
      expect(verifyCrossOrgBundle(await makeBundle({ witnesses: [1, 2, 3] })).cosigners).toEqual([
        'apac',
        'latam',
        'us',
      ]);
    });
  });

  describe('when any byte of the entry, the inclusion proof or the checkpoint changes', () => {
    const flips = (bytes: Uint8Array) =>
      fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 7 })).map(([i, bit]) => {
        const c = bytes.slice();
        c[i] = (c[i] as number) ^ (1 << bit);
        return c;
      });
    const rejects = (b: unknown) => {
      expect(() => verifyCrossOrgBundle(b)).toThrow(GovfedError);
    };

    it('rejects a changed entry', () => {
      fc.assert(
        fc.property(flips(fromBase64(BUNDLE.entry)), (e) => rejects({ ...BUNDLE, entry: toBase64(e) })),
        {
          numRuns: 100,
        },
      );
    });

    it('rejects a changed inclusion proof', () => {
      fc.assert(
        fc.property(fc.nat({ max: BUNDLE.inclusion.length - 1 }), fc.nat({ max: 255 }), (i, bit) => {
          const h = fromBase64(BUNDLE.inclusion[i] as string);
          h[bit >> 3] = (h[bit >> 3] as number) ^ (1 << (bit & 7));
          rejects({ ...BUNDLE, inclusion: BUNDLE.inclusion.map((x, j) => (j === i ? toBase64(h) : x)) });
        }),
        { numRuns: 100 },
      );
    });

    it('rejects a changed checkpoint note (text, log signature or a cosignature)', () => {
      const decoder = new TextDecoder(); // not fatal: a broken sequence becomes U+FFFD, still a change
      fc.assert(
        fc.property(flips(utf8(BUNDLE.checkpoint)), (bytes) =>
          rejects({ ...BUNDLE, checkpoint: decoder.decode(bytes) }),
        ),
        { numRuns: 300 },
      );
    });

    it('rejects a changed cosignature line', () => {
      const start = utf8(BUNDLE.checkpoint.slice(0, BUNDLE.checkpoint.indexOf('— govfed/latam/witness'))).length;
      const note = utf8(BUNDLE.checkpoint);
      const decoder = new TextDecoder();
      fc.assert(
        fc.property(fc.integer({ min: start, max: note.length - 1 }), fc.integer({ min: 0, max: 7 }), (i, bit) => {
          const c = note.slice();
          c[i] = (c[i] as number) ^ (1 << bit);
          rejects({ ...BUNDLE, checkpoint: decoder.decode(c) });
        }),
        { numRuns: 200 },
      );
    });
  });

  describe('when there are fewer than k cosignatures', () => {
    it('rejects with ERR_WITNESS_THRESHOLD', () => {
      expect(() => verifyCrossOrgBundle(makeBundleSync([1]))).toThrow(code('ERR_WITNESS_THRESHOLD'));
      expect(() => verifyCrossOrgBundle(makeBundleSync([]))).toThrow(code('ERR_WITNESS_THRESHOLD'));
    });

    it('follows thresholds.witness from the charter', () => {
      const strict = federation([0, 1, 2, 3], { witness: 3 });
      expect(() => verifyCrossOrgBundle(makeBundleSync([1, 3], strict))).toThrow(code('ERR_WITNESS_THRESHOLD'));
      expect(verifyCrossOrgBundle(makeBundleSync([1, 2, 3], strict)).k).toBe(3);
    });

    it('needs none when the log owner is the only member', async () => {
      const alone = federation([0]);
      expect(verifyCrossOrgBundle(await makeBundle({ fed: alone, witnesses: [] })).k).toBe(0);
    });
  });

  describe('when a witness key is not another member’s', () => {
    it('rejects a key outside the charter with ERR_UNKNOWN_WITNESS', async () => {
      const stranger = await makeBundle({ witnesses: [1, 5] });
      expect(() => verifyCrossOrgBundle(stranger)).toThrow(code('ERR_UNKNOWN_WITNESS'));
    });

    it("rejects the log owner's own witness with ERR_UNKNOWN_WITNESS", async () => {
      expect(() => verifyCrossOrgBundle(makeBundleSync([0, 1, 3]))).toThrow(code('ERR_UNKNOWN_WITNESS'));
    });

    it('rejects a witness key of the right name but another key', async () => {
      const rogue = witnessSigner('us', new Uint8Array(32).fill(9), () => NOW_S);
      const bundle = { ...BUNDLE, witnessKeys: [witnessVerifierKey('us', rogue.publicKey), witnessKey(3)] };
      expect(() => verifyCrossOrgBundle(bundle)).toThrow(code('ERR_UNKNOWN_WITNESS'));
    });

    it('rejects a log key given as a witness key', () => {
      expect(() => verifyCrossOrgBundle({ ...BUNDLE, witnessKeys: [logKey(1), witnessKey(3)] })).toThrow(
        code('ERR_MALFORMED_VERIFIER_KEY'),
      );
    });
  });

  describe('when the witness keys and the cosignatures do not match one to one', () => {
    it('rejects a listed key that did not cosign', () => {
      const b = { ...BUNDLE, witnessKeys: [witnessKey(1), witnessKey(2), witnessKey(3)] };
      expect(() => verifyCrossOrgBundle(b)).toThrow(code('ERR_MALFORMED_BUNDLE'));
    });

    it('rejects a cosignature by a key that is not listed', () => {
      expect(() => verifyCrossOrgBundle({ ...BUNDLE, witnessKeys: [witnessKey(1)] })).toThrow(
        code('ERR_MALFORMED_BUNDLE'),
      );
    });

    it('rejects a key listed twice', () => {
      const b = { ...BUNDLE, witnessKeys: [witnessKey(1), witnessKey(1), witnessKey(3)] };
      expect(() => verifyCrossOrgBundle(b)).toThrow(code('ERR_MALFORMED_BUNDLE'));
    });

    it('rejects a repeated cosignature line', () => {
      const line = BUNDLE.checkpoint.slice(BUNDLE.checkpoint.indexOf('— govfed/us/witness'));
      expect(() => verifyCrossOrgBundle({ ...BUNDLE, checkpoint: BUNDLE.checkpoint + line })).toThrow(
        code('ERR_MALFORMED_BUNDLE'),
      );
    });
  });

  describe('when the log key is not the member’s', () => {
    it('rejects a log key that is no member’s with ERR_UNKNOWN_KEY', async () => {
      expect(() => verifyCrossOrgBundle({ ...BUNDLE, logKey: logKey(5) })).toThrow(code('ERR_UNKNOWN_KEY'));
    });

    it("rejects another member's log key with the owner's checkpoint", () => {
      expect(() => verifyCrossOrgBundle({ ...BUNDLE, logKey: logKey(2), origin: logName(2) })).toThrow(
        code('ERR_NO_VERIFIED_SIGNATURE'),
      );
    });

    it('rejects an origin that is not the log key’s name', () => {
      expect(() => verifyCrossOrgBundle({ ...BUNDLE, origin: logName(1) })).toThrow(code('ERR_ORIGIN_MISMATCH'));
    });
  });

  describe('when the federation is not the pinned one or its chain does not verify', () => {
    it('rejects another federation id with ERR_FEDERATION_MISMATCH', () => {
      const other = federation([0, 1, 2, 3]);
      expect(() => verifyCrossOrgBundle(BUNDLE, { federationId: other.id })).toThrow(code('ERR_FEDERATION_MISMATCH'));
    });

    it('rejects a bundle whose id is not its genesis', () => {
      const other = federation([0, 1, 2, 3]);
      const b = { ...BUNDLE, federation: { ...BUNDLE.federation, id: other.id } };
      expect(() => verifyCrossOrgBundle(b)).toThrow(code('ERR_FEDERATION_MISMATCH'));
    });

    it('rejects a tampered charter signature', () => {
      const [g, v2] = FED.envelopes;
      const sig = v2!.signatures[0]!;
      const bad = {
        ...v2!,
        signatures: [
          { ...sig, sig: toBase64(fromBase64(sig.sig).map((x, i) => (i === 0 ? x ^ 1 : x))) },
          ...v2!.signatures.slice(1),
        ],
      };
      const b = { ...BUNDLE, federation: { ...BUNDLE.federation, charters: [g!, bad] } };
      expect(() => verifyCrossOrgBundle(b)).toThrow(GovfedError);
    });

    it('uses the newest charter of the chain (a member admitted later counts)', async () => {
      const genesisOnly = { ...BUNDLE, federation: { ...BUNDLE.federation, charters: [FED.envelopes[0]!] } };
      expect(() => verifyCrossOrgBundle(genesisOnly)).toThrow(code('ERR_UNKNOWN_WITNESS'));
    });
  });

  describe('when the tree size is not the checkpoint’s', () => {
    it('rejects with ERR_TREE_SIZE_MISMATCH', () => {
      expect(() => verifyCrossOrgBundle({ ...BUNDLE, treeSize: SIZE + 1 })).toThrow(code('ERR_TREE_SIZE_MISMATCH'));
    });
  });

  describe('when a cosignature is dated in the future', () => {
    it('rejects it with ERR_CLOCK_SKEW only when now is given', async () => {
      const future = await makeBundle({ now: NOW_S + 3600 });
      expect(() => verifyCrossOrgBundle(future, { now: NOW_S * 1000 })).toThrow(code('ERR_CLOCK_SKEW'));
      expect(verifyCrossOrgBundle(future).k).toBe(2);
      expect(verifyCrossOrgBundle(future, { now: (NOW_S + 3600) * 1000 }).k).toBe(2);
    });
  });

  describe('when the shape is wrong', () => {
    const cases: Array<[string, unknown]> = [
      ['not an object', []],
      ['an unknown field', { ...BUNDLE, extra: true }],
      ['a missing field', { ...BUNDLE, federation: undefined }],
      ['another format', { ...BUNDLE, format: BUNDLE_FORMAT }],
      ['a negative index', { ...BUNDLE, index: -1 }],
      ['a non-canonical entry', { ...BUNDLE, entry: `${BUNDLE.entry}=` }],
      ['a short inclusion hash', { ...BUNDLE, inclusion: [toBase64(new Uint8Array(31))] }],
      ['too many inclusion hashes', { ...BUNDLE, inclusion: Array(65).fill(BUNDLE.inclusion[0]) }],
      ['a bad federation id', { ...BUNDLE, federation: { ...BUNDLE.federation, id: 'ab' } }],
      ['no charters', { ...BUNDLE, federation: { ...BUNDLE.federation, charters: [] } }],
      ['extra federation fields', { ...BUNDLE, federation: { ...BUNDLE.federation, x: 1 } }],
      ['JSON that is not JSON', '{'],
    ];
    for (const [name, b] of cases) {
      it(`rejects ${name} with ERR_MALFORMED_BUNDLE`, () => {
        expect(() => verifyCrossOrgBundle(b)).toThrow(code('ERR_MALFORMED_BUNDLE'));
      });
    }
  });
});

describe('parseBundle / verifyBundle', () => {
  describe('when given a single-log v1 bundle', () => {
    it('dispatches to verifyProofBundle', async () => {
      const v1 = createProofBundle({
        index: INDEX,
        treeSize: SIZE,
        entry: log.entries[INDEX] as Uint8Array,
        proof: await proveInclusion(INDEX, SIZE, log.tree),
        checkpoint: checkpointOf(0, log, SIZE),
        verifierKey: logKey(0),
      });
      const json = JSON.stringify(v1);
      expect(parseBundle(json).format).toBe(BUNDLE_FORMAT);
      const got = verifyBundle(json, { verifierKey: logKey(0) });
      expect(got.format).toBe(BUNDLE_FORMAT);
      expect(got.format === BUNDLE_FORMAT && got.result.keyPinned).toBe(true);
    });
  });

  describe('when given a cross-org bundle', () => {
    it('dispatches to verifyCrossOrgBundle', () => {
      const json = utf8(JSON.stringify(BUNDLE));
      expect(parseBundle(json).format).toBe(CROSSORG_BUNDLE_FORMAT);
      const got = verifyBundle(json, { federationId: FED.id, now: NOW_S * 1000 });
      expect(got.format === CROSSORG_BUNDLE_FORMAT && got.result.federationPinned).toBe(true);
      expect(() => verifyBundle(json, { federationId: '0'.repeat(64) })).toThrow(code('ERR_FEDERATION_MISMATCH'));
    });
  });

  describe('when the format is unknown', () => {
    it('rejects with ERR_MALFORMED_BUNDLE', () => {
      for (const bad of ['{"format":"nope"}', '[]', 'x', `{"a":"${'x'.repeat(5 * 1024 * 1024)}"}`]) {
        expect(() => parseBundle(bad)).toThrow(code('ERR_MALFORMED_BUNDLE'));
      }
    });
  });
});

// ---- helpers that need the log already built ----

function makeBundleSync(witnesses: readonly number[], fed: Federation = FED): CrossOrgBundle {
  return {
    ...BUNDLE,
    checkpoint: cosign(checkpointOf(0, log, SIZE), witnesses),
    witnessKeys: witnesses.map(witnessKey),
    federation: { id: fed.id, charters: fed.envelopes },
  };
}
