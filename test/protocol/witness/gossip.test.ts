import { describe, expect, it } from 'vitest';
import { toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { isGossipValidationError } from '../../../protocol/federation/errors.ts';
import { appendSignatures, formatSignatureLine } from '../../../protocol/note/index.ts';
import { EQUIVOCATION_TYPE, signAlert } from '../../../protocol/witness/evidence.ts';
import { alertBody, checkAlertBody, checkCheckpointBody, checkpointBody } from '../../../protocol/witness/gossip.ts';
import { buildLog, checkpointOf, logName, peerSeed, witness } from './fixtures.ts';

const log = buildLog(5);
const NOTE = checkpointOf(0, log, 5);
const TEXT = NOTE.slice(0, NOTE.indexOf('\n\n') + 1);
const w = witness(1);
const COSIG = { name: w.name, keyHash: w.keyHash, signature: w.sign(utf8(TEXT)) };

/** Asserts `fn` throws ERR_MALFORMED_GOSSIP with action reject. */
function rejected(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(isGossipValidationError(err, 'ERR_MALFORMED_GOSSIP')).toBe(true);
    expect((err as { action: string }).action).toBe('reject');
    return;
  }
  throw new Error('expected a rejection');
}

describe('checkpoint bodies', () => {
  describe('when well-formed', () => {
    it('round-trip', () => {
      const checked = checkCheckpointBody(checkpointBody(NOTE));
      expect(checked.note).toBe(NOTE);
      expect(checked.text).toBe(TEXT);
      expect(checked.checkpoint.origin).toBe(logName(0));
      expect(checked.checkpoint.size).toBe(5);
      expect(checked.signatures).toHaveLength(1);
    });
  });

  describe('when malformed', () => {
    it('are rejected', () => {
      rejected(() => checkCheckpointBody({}));
      rejected(() => checkCheckpointBody({ note: NOTE, extra: 1 }));
      rejected(() => checkCheckpointBody({ note: 5 }));
      rejected(() => checkCheckpointBody({ note: TEXT }));
      rejected(() => checkCheckpointBody({ note: 'x'.repeat(70_000) }));
    });
  });
});

describe('witnessed checkpoint bodies', () => {
  // The checkpoint with the log's signature line and the cosignature lines the log collected: the
  // receiver verifies them with the charter's keys (not here).
  const COSIGNED = appendSignatures(NOTE, [COSIG]);

  describe('when well-formed', () => {
    it('round-trip, parsed with protocol/note, the log signature first', () => {
      const body = checkpointBody(COSIGNED);
      expect(body).toEqual({ note: COSIGNED });
      const checked = checkCheckpointBody(body);
      expect(checked.text).toBe(TEXT);
      expect(checked.checkpoint.origin).toBe(logName(0));
      expect(checked.checkpoint.rootHash).toEqual(log.roots[5]);
      expect(checked.signatures.map((s) => s.name)).toEqual([logName(0), w.name]);
    });
  });

  describe('when malformed', () => {
    it('are rejected', () => {
      // the old compact form {origin, size, rootHash, cosignature} is not a checkpoint body
      rejected(() =>
        checkCheckpointBody({
          origin: logName(0),
          size: 5,
          rootHash: toBase64(log.roots[5] as Uint8Array),
          cosignature: formatSignatureLine(COSIG),
        }),
      );
      rejected(() => checkCheckpointBody({ note: `not a checkpoint\n\n${COSIGNED.slice(TEXT.length + 1)}` }));
      rejected(() => checkCheckpointBody({ note: `${COSIGNED}${'x'.repeat(70_000)}` }));
    });
  });
});

describe('alert bodies', () => {
  const ev = {
    type: EQUIVOCATION_TYPE,
    origin: logName(0),
    a: checkpointOf(0, log, 5),
    b: checkpointOf(0, buildLog(5, 2), 5),
    proof: [],
  } as const;

  describe('when well-formed', () => {
    it('round-trip', () => {
      const env = signAlert({ ...ev, proof: [] }, peerSeed(1));
      expect(checkAlertBody(alertBody(env))).toEqual(env);
    });
  });

  describe('when malformed', () => {
    it('are rejected', () => {
      rejected(() => checkAlertBody({}));
      rejected(() => checkAlertBody({ envelope: { payloadType: 'x' } }));
    });
  });
});
