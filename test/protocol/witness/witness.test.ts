import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { EMPTY_ROOT, proveConsistency } from '../../../protocol/log/index.ts';
import {
  appendSignatures,
  ed25519Signer,
  formatSignatureLine,
  openNote,
  signCheckpoint,
  verifyCosignature,
} from '../../../protocol/note/index.ts';
import { parseWitnessKey } from '../../../protocol/witness/keys.ts';
import { formatAddCheckpoint, formatSizeBody, parseAddCheckpoint } from '../../../protocol/witness/request.ts';
import {
  addCheckpoint,
  isWitnessError,
  type KnownLogs,
  knownLogsFromKeys,
  type WitnessError,
  type WitnessState,
} from '../../../protocol/witness/witness.ts';
import {
  buildLog,
  checkpointOf,
  logKey,
  logName,
  logSigner,
  logVerifier,
  NOW_S,
  witness,
  witnessKey,
} from './fixtures.ts';

const log = buildLog(40);
const fork = buildLog(40, 6);
const known: KnownLogs = knownLogsFromKeys([logKey(0), logKey(1)]);
const signer = witness(2);
const stateAt = (size: number, l = log): WitnessState => ({ size, rootHash: l.roots[size] as Uint8Array });

async function request(oldSize: number, size: number, l = log, note = checkpointOf(0, l, size)) {
  const proof = oldSize === 0 || oldSize === size ? [] : await proveConsistency(oldSize, size, l.tree);
  return formatAddCheckpoint({ oldSize, proof, note });
}

/** The WitnessError addCheckpoint throws (a test failure if it returns or throws anything else). */
function refusal(fn: () => unknown): WitnessError {
  try {
    fn();
  } catch (err) {
    if (isWitnessError(err)) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** What `fn` throws (a test failure if it returns). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('addCheckpoint', () => {
  describe('when the witness never cosigned the origin and old size is 0 (200)', () => {
    it('cosigns and returns the state to record', async () => {
      const res = addCheckpoint({ known, state: undefined, req: await request(0, 5), signer });
      expect(res.next).toEqual(stateAt(5));
      expect(res.checkpoint.origin).toBe(logName(0));
      expect(res.cosignatureLines).toBe(formatSignatureLine(res.cosignature));
      const verifier = parseWitnessKey(witnessKey(2));
      expect(verifyCosignature(res.text, res.cosignature, verifier)).toEqual({ timestamp: NOW_S });
    });

    it('gives lines a client can append to the checkpoint and open with the witness key', async () => {
      const note = checkpointOf(0, log, 5);
      const res = addCheckpoint({ known, state: undefined, req: await request(0, 5), signer });
      const cosigned = appendSignatures(note, [res.cosignature]);
      expect(cosigned).toBe(note + res.cosignatureLines);
      const opened = openNote(cosigned, [logVerifier(0), parseWitnessKey(witnessKey(2))]);
      expect(opened.verified.map((s) => s.name)).toEqual([logName(0), 'govfed/apac/witness']);
    });

    it('cosigns the empty tree', async () => {
      const res = addCheckpoint({ known, state: undefined, req: await request(0, 0), signer });
      expect(res.next).toEqual({ size: 0, rootHash: EMPTY_ROOT });
    });
  });

  describe('when the old size is the recorded size and the proof is valid (200)', () => {
    it('cosigns any append-only step', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 39 }), fc.integer({ min: 1, max: 39 }), async (a, d) => {
          const b = Math.min(a + d, 40);
          const res = addCheckpoint({ known, state: stateAt(a), req: await request(a, b), signer });
          expect(res.next).toEqual(stateAt(b));
        }),
        { numRuns: 60 },
      );
    });

    it('cosigns the recorded checkpoint again without moving the state', async () => {
      const res = addCheckpoint({ known, state: stateAt(9), req: await request(9, 9), signer });
      expect(res.next).toEqual(stateAt(9));
    });

    it('answers the same checkpoint text with the cosignature given before (`previous`), not a new one', async () => {
      const first = addCheckpoint({ known, state: stateAt(5), req: await request(5, 9), signer });
      const previous = { text: first.text, cosignature: first.cosignature };
      const later = witness(2, NOW_S + 60); // a witness whose clock moved on
      const again = addCheckpoint({ known, state: first.next, req: await request(9, 9), signer: later, previous });
      expect(again.cosignatureLines).toBe(first.cosignatureLines);
      expect(again.next).toEqual(stateAt(9));
      // without it, a fresh cosignature; for another checkpoint, `previous` does not apply
      const fresh = addCheckpoint({ known, state: first.next, req: await request(9, 9), signer: later });
      expect(fresh.cosignatureLines).not.toBe(first.cosignatureLines);
      const next = addCheckpoint({ known, state: first.next, req: await request(9, 12), signer: later, previous });
      expect(next.cosignatureLines).not.toBe(first.cosignatureLines);
      // nor another witness's line passed as `previous`
      const other = addCheckpoint({ known, state: first.next, req: await request(9, 9), signer: witness(3), previous });
      expect(other.cosignature.name).toBe(witness(3).name);
    });

    it('accepts bytes or an already parsed request, and returns a fresh root', async () => {
      const req = await request(5, 9);
      const parsed = parseAddCheckpoint(req);
      const a = addCheckpoint({ known, state: stateAt(5), req: utf8(req), signer });
      const b = addCheckpoint({ known, state: stateAt(5), req: parsed, signer });
      expect(a.next).toEqual(stateAt(9));
      expect(b.next).toEqual(stateAt(9));
      a.next.rootHash[0] = (a.next.rootHash[0] as number) ^ 1;
      expect(parsed.checkpoint.rootHash).toEqual(log.roots[9]);
      expect(b.next.rootHash).toEqual(log.roots[9]);
    });
  });

  describe('when the body is malformed (400)', () => {
    it('refuses with ERR_MALFORMED_WITNESS_REQUEST', () => {
      const err = refusal(() => addCheckpoint({ known, state: undefined, req: 'old 0\n', signer }));
      expect(err.code).toBe('ERR_MALFORMED_WITNESS_REQUEST');
      expect(err.status).toBe(400);
    });
  });

  describe('when the origin is unknown (404)', () => {
    it('refuses with ERR_UNKNOWN_ORIGIN', async () => {
      const req = await request(0, 5, log, checkpointOf(3, log, 5));
      const err = refusal(() => addCheckpoint({ known, state: undefined, req, signer }));
      expect([err.code, err.status]).toEqual(['ERR_UNKNOWN_ORIGIN', 404]);
    });
  });

  describe('when no signature by a trusted key verifies (403)', () => {
    it('refuses a checkpoint signed only by an unknown key of the same name', async () => {
      const impostor = ed25519Signer(logName(0), sha256(utf8('impostor')));
      const note = signCheckpoint({ origin: logName(0), size: 5, rootHash: log.roots[5]!, extensions: [] }, impostor);
      const err = refusal(() =>
        addCheckpoint({ known, state: undefined, req: formatAddCheckpoint({ oldSize: 0, proof: [], note }), signer }),
      );
      expect([err.code, err.status]).toEqual(['ERR_UNTRUSTED_CHECKPOINT', 403]);
    });

    it('refuses a checkpoint whose trusted signature is corrupt', async () => {
      const note = checkpointOf(0, log, 5);
      const sigAt = note.lastIndexOf(' ') + 10;
      const bad = note.slice(0, sigAt) + (note[sigAt] === 'A' ? 'B' : 'A') + note.slice(sigAt + 1);
      const err = refusal(() =>
        addCheckpoint({
          known,
          state: undefined,
          req: formatAddCheckpoint({ oldSize: 0, proof: [], note: bad }),
          signer,
        }),
      );
      expect([err.code, err.status]).toEqual(['ERR_UNTRUSTED_CHECKPOINT', 403]);
    });

    it('refuses a checkpoint signed by another known log under this origin', async () => {
      const note = signCheckpoint(
        { origin: logName(0), size: 5, rootHash: log.roots[5]!, extensions: [] },
        logSigner(1),
      );
      const err = refusal(() =>
        addCheckpoint({ known, state: undefined, req: formatAddCheckpoint({ oldSize: 0, proof: [], note }), signer }),
      );
      expect(err.status).toBe(403);
    });
  });

  describe('when the old size is larger than the checkpoint size (400)', () => {
    it('refuses with ERR_OLD_SIZE_TOO_LARGE', async () => {
      const req = formatAddCheckpoint({ oldSize: 9, proof: [], note: checkpointOf(0, log, 5) });
      const err = refusal(() => addCheckpoint({ known, state: stateAt(9), req, signer }));
      expect([err.code, err.status]).toEqual(['ERR_OLD_SIZE_TOO_LARGE', 400]);
    });
  });

  describe('when the old size is not the recorded size (409 with the size body)', () => {
    it('reports 0 when the witness never cosigned the origin', async () => {
      const err = refusal(() => addCheckpoint({ known, state: undefined, req: reqSync(5, 9), signer }));
      expect([err.code, err.status, err.recordedSize]).toEqual(['ERR_OLD_SIZE_MISMATCH', 409, 0]);
      expect(formatSizeBody(err.recordedSize as number)).toBe('0\n');
    });

    it('reports the recorded size to a client that is behind', () => {
      const err = refusal(() => addCheckpoint({ known, state: stateAt(12), req: reqSync(5, 20), signer }));
      expect([err.code, err.status, err.recordedSize]).toEqual(['ERR_OLD_SIZE_MISMATCH', 409, 12]);
    });

    it('never rolls back: a smaller checkpoint is refused', () => {
      const err = refusal(() => addCheckpoint({ known, state: stateAt(12), req: reqSync(5, 9), signer }));
      expect([err.code, err.recordedSize]).toEqual(['ERR_OLD_SIZE_MISMATCH', 12]);
    });
  });

  describe('when the consistency proof does not verify (422)', () => {
    it('refuses a proof with any flipped bit', async () => {
      const proof = await proveConsistency(7, 30, log.tree);
      fc.assert(
        fc.property(fc.nat({ max: proof.length - 1 }), fc.nat({ max: 255 }), (i, bit) => {
          const bad = proof.map((h, j) => (j === i ? flip(h, bit) : h));
          const req = formatAddCheckpoint({ oldSize: 7, proof: bad, note: checkpointOf(0, log, 30) });
          const err = refusal(() => addCheckpoint({ known, state: stateAt(7), req, signer }));
          expect([err.code, err.status]).toEqual(['ERR_CONSISTENCY_FAILED', 422]);
          expect(err.checkpoint?.size).toBe(30);
        }),
        { numRuns: 50 },
      );
    });

    it('refuses a checkpoint of a forked log (the proof from the recorded tree fails)', async () => {
      const req = await request(20, 30, fork, checkpointOf(0, fork, 30));
      const err = refusal(() => addCheckpoint({ known, state: stateAt(20), req, signer }));
      expect(err.code).toBe('ERR_CONSISTENCY_FAILED');
    });

    it('refuses a non-empty proof from size 0', async () => {
      const proof = await proveConsistency(3, 9, log.tree);
      const req = formatAddCheckpoint({ oldSize: 0, proof, note: checkpointOf(0, log, 9) });
      expect(refusal(() => addCheckpoint({ known, state: undefined, req, signer })).status).toBe(422);
    });

    it('refuses a non-empty proof for the same size', async () => {
      const req = formatAddCheckpoint({ oldSize: 9, proof: [log.roots[9]!], note: checkpointOf(0, log, 9) });
      expect(refusal(() => addCheckpoint({ known, state: stateAt(9), req, signer })).status).toBe(422);
    });
  });

  describe('when the checkpoint has the recorded size but another root (409, no size body)', () => {
    it('refuses with ERR_ROOT_CONFLICT and hands back the checkpoint as possible evidence', () => {
      const req = formatAddCheckpoint({ oldSize: 9, proof: [], note: checkpointOf(0, fork, 9) });
      const err = refusal(() => addCheckpoint({ known, state: stateAt(9), req, signer }));
      expect([err.code, err.status, err.recordedSize]).toEqual(['ERR_ROOT_CONFLICT', 409, undefined]);
      expect(err.checkpoint?.rootHash).toEqual(fork.roots[9]);
    });

    it('refuses a size-0 checkpoint that is not the empty tree', () => {
      const note = signCheckpoint(
        { origin: logName(0), size: 0, rootHash: log.roots[1]!, extensions: [] },
        logSigner(0),
      );
      const req = formatAddCheckpoint({ oldSize: 0, proof: [], note });
      expect(refusal(() => addCheckpoint({ known, state: undefined, req, signer })).code).toBe('ERR_ROOT_CONFLICT');
    });
  });

  describe('when several checks fail', () => {
    it('answers in the order of the spec: 404 before 403 before 400 before 409 before 422', async () => {
      const unknownAndBad = formatAddCheckpoint({ oldSize: 99, proof: [], note: checkpointOf(3, log, 5) });
      expect(refusal(() => addCheckpoint({ known, state: stateAt(9), req: unknownAndBad, signer })).status).toBe(404);
      const impostor = ed25519Signer(logName(0), sha256(utf8('impostor')));
      const forged = signCheckpoint({ origin: logName(0), size: 5, rootHash: log.roots[5]!, extensions: [] }, impostor);
      const forgedAndBig = formatAddCheckpoint({ oldSize: 99, proof: [], note: forged });
      expect(refusal(() => addCheckpoint({ known, state: stateAt(9), req: forgedAndBig, signer })).status).toBe(403);
      const tooBigAndMismatch = formatAddCheckpoint({ oldSize: 6, proof: [], note: checkpointOf(0, log, 5) });
      expect(refusal(() => addCheckpoint({ known, state: stateAt(9), req: tooBigAndMismatch, signer })).status).toBe(
        400,
      );
      const mismatchAndBadProof = formatAddCheckpoint({
        oldSize: 3,
        proof: [log.roots[1]!],
        note: checkpointOf(0, log, 9),
      });
      expect(refusal(() => addCheckpoint({ known, state: stateAt(4), req: mismatchAndBadProof, signer })).status).toBe(
        409,
      );
    });
  });

  describe('when the caller passes trusted keys that are ambiguous (a bug, not a refusal)', () => {
    it('throws a plain GovfedError', async () => {
      const twice: KnownLogs = new Map([[logName(0), [logVerifier(0), logVerifier(0)]]]);
      const req = await request(0, 5);
      const call = () => addCheckpoint({ known: twice, state: undefined, req, signer });
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
      const err = thrownBy(call);
      expect(err).toBeInstanceOf(GovfedError);
      expect(isWitnessError(err)).toBe(false);
    });
  });
});

describe('knownLogsFromKeys', () => {
  describe('when given log keys', () => {
    it('maps each origin (the key name) to its keys', () => {
      const m = knownLogsFromKeys([logKey(0), logKey(1), logKey(0)]);
      expect([...m.keys()]).toEqual([logName(0), logName(1)]);
      expect(m.get(logName(0))?.map((v) => v.name)).toEqual([logName(0)]);
    });
  });

  describe('when a key is not an Ed25519 log key', () => {
    it('throws ERR_MALFORMED_VERIFIER_KEY', () => {
      expect(() => knownLogsFromKeys([witnessKey(0)])).toThrow(
        expect.objectContaining({ code: 'ERR_MALFORMED_VERIFIER_KEY' }),
      );
      expect(() => knownLogsFromKeys(['nope'])).toThrow(
        expect.objectContaining({ code: 'ERR_MALFORMED_VERIFIER_KEY' }),
      );
    });
  });
});

function flip(h: Uint8Array, bit: number): Uint8Array {
  const c = h.slice();
  c[bit >> 3] = (c[bit >> 3] as number) ^ (1 << (bit & 7));
  return c;
}

/** A request without a proof (for cases refused before the proof is looked at). */
function reqSync(oldSize: number, size: number): string {
  return formatAddCheckpoint({ oldSize, proof: [], note: checkpointOf(0, log, size) });
}
