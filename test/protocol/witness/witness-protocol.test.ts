import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../../protocol/errors.ts';
import { formatAddCheckpoint, MAX_ADD_CHECKPOINT_BYTES } from '../../../protocol/witness/request.ts';
import {
  decodeWitnessRequest,
  decodeWitnessResponse,
  encodeWitnessMessage,
  MAX_WITNESSED_NOTES,
  WITNESS_PROTOCOL_MAX_BYTES,
} from '../../../protocol/witness/witness-protocol.ts';
import { buildLog, checkpointOf } from './fixtures.ts';

const NOTE = checkpointOf(0, buildLog(5), 5);
const BODY = formatAddCheckpoint({ oldSize: 0, proof: [], note: NOTE });
const json = (v: unknown) => utf8(JSON.stringify(v));

function invalid(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isGovfedError(caught, 'ERR_INVALID_INPUT'), String(caught)).toBe(true);
}

describe('/govfed/witness/1.0.0 codec', () => {
  describe('requests', () => {
    it('round-trip add-checkpoint (the tlog-witness body, byte for byte) and get-witnessed', () => {
      expect(decodeWitnessRequest(encodeWitnessMessage({ type: 'add-checkpoint', body: BODY }))).toEqual({
        type: 'add-checkpoint',
        body: BODY,
      });
      expect(decodeWitnessRequest(encodeWitnessMessage({ type: 'get-witnessed' }))).toEqual({ type: 'get-witnessed' });
    });

    it('refuse unknown types and fields, wrong types, oversized bodies and non-JSON (ERR_INVALID_INPUT)', () => {
      invalid(() => decodeWitnessRequest(json({ type: 'cosign', body: BODY })));
      invalid(() => decodeWitnessRequest(json({ type: 'add-checkpoint', body: BODY, extra: 1 })));
      invalid(() => decodeWitnessRequest(json({ type: 'add-checkpoint', body: 5 })));
      invalid(() =>
        decodeWitnessRequest(json({ type: 'add-checkpoint', body: 'x'.repeat(MAX_ADD_CHECKPOINT_BYTES + 1) })),
      );
      invalid(() => decodeWitnessRequest(json({ type: 'get-witnessed', origin: 'x' })));
      invalid(() => decodeWitnessRequest(json([1])));
      invalid(() => decodeWitnessRequest(utf8('{')));
      invalid(() => decodeWitnessRequest(new Uint8Array(WITNESS_PROTOCOL_MAX_BYTES + 1)));
    });
  });

  describe('responses', () => {
    it('round-trip cosignatures, a refusal with its status and recorded size, and witnessed notes', () => {
      const lines = '— w AAAA\n';
      expect(decodeWitnessResponse(encodeWitnessMessage({ type: 'cosignatures', lines }), 'cosignatures')).toEqual({
        type: 'cosignatures',
        lines,
      });
      const refusal = { type: 'error', code: 'ERR_OLD_SIZE_MISMATCH', message: 'm', status: 409, size: 4 } as const;
      expect(decodeWitnessResponse(encodeWitnessMessage(refusal), 'cosignatures')).toEqual(refusal);
      expect(
        decodeWitnessResponse(encodeWitnessMessage({ type: 'witnessed', notes: [NOTE, NOTE] }), 'witnessed'),
      ).toEqual({ type: 'witnessed', notes: [NOTE, NOTE] });
    });

    it('turn an error to get-witnessed into the peer code; refuse malformed answers', () => {
      const err = encodeWitnessMessage({ type: 'error', code: 'ERR_SHUTTING_DOWN', message: 'bye', status: 503 });
      expect(() => decodeWitnessResponse(err, 'witnessed')).toThrow(
        expect.objectContaining({ code: 'ERR_SHUTTING_DOWN' }),
      );
      invalid(() => decodeWitnessResponse(json({ type: 'witnessed', notes: [] }), 'cosignatures'));
      invalid(() => decodeWitnessResponse(json({ type: 'cosignatures', lines: 'x'.repeat(5000) }), 'cosignatures'));
      invalid(() => decodeWitnessResponse(json({ type: 'cosignatures', lines: 'x', more: 1 }), 'cosignatures'));
      invalid(() =>
        decodeWitnessResponse(json({ type: 'error', code: 'nope', message: '', status: 409 }), 'cosignatures'),
      );
      invalid(() =>
        decodeWitnessResponse(json({ type: 'error', code: 'ERR_X', message: '', status: 200 }), 'cosignatures'),
      );
      invalid(() =>
        decodeWitnessResponse(
          json({ type: 'error', code: 'ERR_X', message: '', status: 409, size: -1 }),
          'cosignatures',
        ),
      );
      invalid(() =>
        decodeWitnessResponse(
          json({ type: 'witnessed', notes: Array.from({ length: MAX_WITNESSED_NOTES + 1 }, () => 'n') }),
          'witnessed',
        ),
      );
      invalid(() => decodeWitnessResponse(json({ type: 'witnessed', notes: [1] }), 'witnessed'));
    });
  });
});
