import { describe, expect, it } from 'vitest';
import { toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { isGossipValidationError } from '../../../protocol/federation/errors.ts';
import { EQUIVOCATION_TYPE, signAlert } from '../../../protocol/witness/evidence.ts';
import {
  alertBody,
  checkAlertBody,
  checkCheckpointBody,
  checkCosignatureBody,
  checkpointBody,
  cosignatureBody,
} from '../../../protocol/witness/gossip.ts';
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
      expect(checkCheckpointBody(checkpointBody(NOTE))).toBe(NOTE);
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

describe('cosignature bodies', () => {
  const c = { origin: logName(0), size: 5, rootHash: log.roots[5] as Uint8Array, cosignature: COSIG };

  describe('when well-formed', () => {
    it('round-trip', () => {
      const body = cosignatureBody(c);
      expect(body.rootHash).toBe(toBase64(c.rootHash));
      expect(checkCosignatureBody(body)).toEqual(c);
    });
  });

  describe('when malformed', () => {
    it('are rejected', () => {
      const body = cosignatureBody(c);
      rejected(() => checkCosignatureBody({ ...body, extra: 1 }));
      rejected(() => checkCosignatureBody({ ...body, size: -1 }));
      rejected(() => checkCosignatureBody({ ...body, origin: '' }));
      rejected(() => checkCosignatureBody({ ...body, rootHash: toBase64(new Uint8Array(31)) }));
      rejected(() => checkCosignatureBody({ ...body, cosignature: 'nope' }));
      rejected(() => checkCosignatureBody({ ...body, cosignature: `${body.cosignature}${body.cosignature}` }));
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
