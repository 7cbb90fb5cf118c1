import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { fromBase64, toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import { proveConsistency, treeHash } from '../../../protocol/log/index.ts';
import { signCheckpoint } from '../../../protocol/note/index.ts';
import {
  ALERT_PAYLOAD_TYPE,
  checkEquivocation,
  decodeEquivocation,
  EQUIVOCATION_TYPE,
  type Equivocation,
  encodeEquivocation,
  findEquivocation,
  memberByLogOrigin,
  signAlert,
  verifyAlert,
} from '../../../protocol/witness/evidence.ts';
import { buildLog, checkpointOf, federation, logName, logSigner, logVerifier, peerSeed } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

const honest = buildLog(20);
const fork = buildLog(20, 5); // the same first 5 entries, then another branch
const LOG = logVerifier(0);

function evidence(a: string, b: string, proof: Uint8Array[] = []): Equivocation {
  return { type: EQUIVOCATION_TYPE, origin: logName(0), a, b, proof: proof.map(toBase64) };
}

describe('checkEquivocation', () => {
  describe('when two signed checkpoints have the same size and different roots (kind 1)', () => {
    it('is evidence', () => {
      const ev = evidence(checkpointOf(0, honest, 12), checkpointOf(0, fork, 12));
      expect(checkEquivocation(ev, LOG)).toEqual({ origin: logName(0), kind: 'same-size', sizes: [12, 12] });
      expect(checkEquivocation(encodeEquivocation(ev), LOG).kind).toBe('same-size');
    });
  });

  describe("when a proof reaches b's root from an old root other than a's (kind 2)", () => {
    it('is evidence, whatever the sizes after the fork point', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 6, max: 19 }), fc.integer({ min: 1, max: 14 }), async (m, d) => {
          const n = Math.min(m + d, 20);
          fc.pre(m < n);
          const rfc = await proveConsistency(m, n, fork.tree);
          const complete = (m & (m - 1)) === 0;
          const proof = complete ? [await treeHash(m, fork.tree), ...rfc] : rfc;
          const ev = evidence(checkpointOf(0, honest, m), checkpointOf(0, fork, n), proof);
          expect(checkEquivocation(ev, LOG)).toEqual({ origin: logName(0), kind: 'inconsistent', sizes: [m, n] });
        }),
        { numRuns: 40 },
      );
    });
  });

  describe('when the two checkpoints are consistent (not evidence)', () => {
    it('rejects the same checkpoint twice', () => {
      const a = checkpointOf(0, honest, 9);
      expect(() => checkEquivocation(evidence(a, a), LOG)).toThrow(code('ERR_NOT_EQUIVOCATION'));
    });

    it('rejects an honest proof between two sizes of one log', async () => {
      const proof = await proveConsistency(7, 15, honest.tree);
      const ev = evidence(checkpointOf(0, honest, 7), checkpointOf(0, honest, 15), proof);
      expect(() => checkEquivocation(ev, LOG)).toThrow(code('ERR_NOT_EQUIVOCATION'));
    });

    it("rejects a proof that does not reach b's root (garbage proves nothing)", async () => {
      const proof = await proveConsistency(7, 15, fork.tree);
      const ev = evidence(checkpointOf(0, honest, 7), checkpointOf(0, honest, 15), proof);
      expect(() => checkEquivocation(ev, LOG)).toThrow(code('ERR_NOT_EQUIVOCATION'));
    });

    it('rejects a proof of the wrong length', async () => {
      const proof = await proveConsistency(7, 15, fork.tree);
      const ev = evidence(checkpointOf(0, honest, 7), checkpointOf(0, fork, 15), proof.slice(1));
      expect(() => checkEquivocation(ev, LOG)).toThrow(code('ERR_NOT_EQUIVOCATION'));
    });

    it('rejects an empty a (the empty tree is consistent with every tree)', () => {
      const ev = evidence(checkpointOf(0, honest, 0), checkpointOf(0, fork, 9));
      expect(() => checkEquivocation(ev, LOG)).toThrow(code('ERR_NOT_EQUIVOCATION'));
    });
  });

  describe('when the evidence is not signed by the log or not about it', () => {
    it('rejects a checkpoint signed by another key', () => {
      const other = signCheckpoint(
        { origin: logName(0), size: 12, rootHash: fork.roots[12]!, extensions: [] },
        logSigner(1),
      );
      expect(() => checkEquivocation(evidence(checkpointOf(0, honest, 12), other), LOG)).toThrow(
        code('ERR_NO_VERIFIED_SIGNATURE'),
      );
    });

    it('rejects evidence about another origin', () => {
      const ev = { ...evidence(checkpointOf(0, honest, 12), checkpointOf(0, fork, 12)), origin: logName(1) };
      expect(() => checkEquivocation(ev, LOG)).toThrow(code('ERR_ORIGIN_MISMATCH'));
    });

    it('rejects a tampered note', () => {
      const b = checkpointOf(0, fork, 12).replace('\n12\n', '\n13\n');
      expect(() => checkEquivocation(evidence(checkpointOf(0, honest, 12), b), LOG)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when the evidence is malformed', () => {
    const a = checkpointOf(0, honest, 12);
    const b = checkpointOf(0, fork, 12);
    const cases: Array<[string, unknown]> = [
      ['not an object', 'x'],
      ['an unknown field', { ...evidence(a, b), extra: 1 }],
      ['a missing field', { type: EQUIVOCATION_TYPE, origin: logName(0), a, b }],
      ['another type', { ...evidence(a, b), type: 'govfed.equivocation/v2' }],
      ['a proof hash of 31 bytes', { ...evidence(a, b), proof: [toBase64(new Uint8Array(31))] }],
      ['a proof that is too long', { ...evidence(a, b), proof: Array(65).fill(toBase64(new Uint8Array(32))) }],
      ['a same-size pair with a proof', evidence(a, b, [new Uint8Array(32)])],
      ['a larger a', evidence(checkpointOf(0, fork, 15), a)],
      ['an oversized note', evidence('x'.repeat(70_000), b)],
    ];
    for (const [name, ev] of cases) {
      it(`rejects ${name} with ERR_MALFORMED_EVIDENCE`, () => {
        expect(() => checkEquivocation(ev, LOG)).toThrow(code('ERR_MALFORMED_EVIDENCE'));
      });
    }

    it('rejects bytes that are not canonical JSON', () => {
      const bytes = utf8(JSON.stringify(evidence(a, b), null, 1));
      expect(() => decodeEquivocation(bytes)).toThrow(code('ERR_MALFORMED_EVIDENCE'));
    });
  });
});

describe('encodeEquivocation / decodeEquivocation', () => {
  describe('when given evidence', () => {
    it('round-trips through canonical JSON', async () => {
      const ev = evidence(
        checkpointOf(0, honest, 7),
        checkpointOf(0, fork, 15),
        await proveConsistency(7, 15, fork.tree),
      );
      const bytes = encodeEquivocation(ev);
      expect(bytes).toEqual(canonicalBytes(ev));
      expect(decodeEquivocation(bytes)).toEqual(ev);
    });
  });
});

describe('findEquivocation', () => {
  describe('when two checkpoints of one size differ', () => {
    it('builds kind-1 evidence in either order', () => {
      const a = checkpointOf(0, honest, 12);
      const b = checkpointOf(0, fork, 12);
      for (const [x, y] of [
        [a, b],
        [b, a],
      ] as const) {
        const ev = findEquivocation({ logVerifier: LOG, a: x, b: y });
        expect(ev).toBeDefined();
        expect(checkEquivocation(ev, LOG).kind).toBe('same-size');
      }
    });
  });

  describe("when the log's own proof from the forked tree is given", () => {
    it('builds kind-2 evidence, putting the smaller checkpoint first', async () => {
      const proof = await proveConsistency(7, 15, fork.tree);
      const ev = findEquivocation({
        logVerifier: LOG,
        a: checkpointOf(0, fork, 15),
        b: checkpointOf(0, honest, 7),
        proof,
      });
      expect(ev?.a).toBe(checkpointOf(0, honest, 7));
      expect(checkEquivocation(ev, LOG)).toMatchObject({ kind: 'inconsistent', sizes: [7, 15] });
    });

    it('needs the claimed old root when the smaller size is a power of two', async () => {
      const proof = await proveConsistency(8, 15, fork.tree);
      const input = { logVerifier: LOG, a: checkpointOf(0, honest, 8), b: checkpointOf(0, fork, 15), proof };
      expect(findEquivocation(input)).toBeUndefined();
      const ev = findEquivocation({ ...input, completeOldRoot: await treeHash(8, fork.tree) });
      expect(ev?.proof).toHaveLength(proof.length + 1);
      expect(fromBase64(ev?.proof[0] as string)).toEqual(fork.roots[8]);
      expect(checkEquivocation(ev, LOG).kind).toBe('inconsistent');
    });
  });

  describe('when nothing is proved', () => {
    it('returns undefined', async () => {
      const a = checkpointOf(0, honest, 7);
      expect(findEquivocation({ logVerifier: LOG, a, b: a })).toBeUndefined();
      const garbage = (await proveConsistency(7, 15, honest.tree)).map(() => new Uint8Array(32));
      expect(findEquivocation({ logVerifier: LOG, a, b: checkpointOf(0, fork, 15), proof: garbage })).toBeUndefined();
      expect(findEquivocation({ logVerifier: LOG, a, b: checkpointOf(0, fork, 15) })).toBeUndefined();
    });
  });
});

describe('verifyAlert', () => {
  const fed = federation([0, 1, 2, 3]);
  const ev = evidence(checkpointOf(0, honest, 12), checkpointOf(0, fork, 12));

  describe('when a member signs real evidence about a member log', () => {
    it('names the offender and the reporters', () => {
      const alert = verifyAlert(signAlert(ev, peerSeed(2)), fed.charter);
      expect(alert.offender.org).toBe('eu');
      expect(alert.reporters).toEqual([fed.charter.members.find((m) => m.org === 'apac')?.peerId]);
      expect(alert.checked).toMatchObject({ kind: 'same-size', sizes: [12, 12] });
      expect(alert.evidence).toEqual(ev);
    });
  });

  describe('when the alert is not acceptable', () => {
    it('rejects a signer who is not a member', () => {
      expect(() => verifyAlert(signAlert(ev, peerSeed(6)), fed.charter)).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });

    it('rejects another payload type', () => {
      const env = signAsPeer('application/json', encodeEquivocation(ev), peerSeed(2));
      expect(() => verifyAlert(env, fed.charter)).toThrow(code('ERR_PAYLOAD_TYPE_MISMATCH'));
    });

    it('rejects a tampered payload', () => {
      const env = signAlert(ev, peerSeed(2));
      const other = encodeEquivocation({ ...ev, b: checkpointOf(0, fork, 13) });
      expect(() => verifyAlert({ ...env, payload: toBase64(other) }, fed.charter)).toThrow(code('ERR_BAD_SIGNATURE'));
    });

    it('rejects evidence that proves nothing', () => {
      const a = checkpointOf(0, honest, 12);
      expect(() => verifyAlert(signAlert(evidence(a, a), peerSeed(2)), fed.charter)).toThrow(
        code('ERR_NOT_EQUIVOCATION'),
      );
    });

    it('rejects evidence about a log that is no member', () => {
      const outsider = buildLog(3);
      const foreign: Equivocation = {
        ...evidence(checkpointOf(5, outsider, 2), checkpointOf(5, fork, 2)),
        origin: logName(5),
      };
      expect(() => verifyAlert(signAlert(foreign, peerSeed(2)), fed.charter)).toThrow(code('ERR_UNKNOWN_ORIGIN'));
    });

    it('rejects a payload that is not evidence', () => {
      const env = signAsPeer(ALERT_PAYLOAD_TYPE, utf8('{}'), peerSeed(2));
      expect(() => verifyAlert(env, fed.charter)).toThrow(code('ERR_MALFORMED_EVIDENCE'));
    });
  });
});

describe('memberByLogOrigin', () => {
  describe('when the origin is a member log', () => {
    it('gives the member and its log verifier', () => {
      const { member, logVerifier: v } = memberByLogOrigin(federation([0, 1]).charter, logName(1));
      expect(member.org).toBe('us');
      expect(v.name).toBe(logName(1));
    });
  });
});
