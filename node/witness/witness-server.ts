/**
 * The answering side of `/govfed/witness/1.0.0` (protocol/witness/witness-protocol.ts): a member's node
 * asking this witness to cosign its checkpoint (add-checkpoint, decided by cosigner.ts exactly as the
 * HTTP endpoint decides it), or a witness asking what this node holds (get-witnessed, exchange.ts).
 * Requests are attacker-controlled; every failure is an `error` answer with the status tlog-witness
 * gives it, never a thrown error.
 */
import { utf8 } from '../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { WitnessError } from '../../protocol/witness/witness.ts';
import { decodeWitnessRequest, encodeWitnessMessage } from '../../protocol/witness/witness-protocol.ts';
import { httpStatusFor } from '../errors.ts';
import type { Cosigner } from './cosigner.ts';
import type { WitnessExchange } from './exchange.ts';

function failure(err: unknown): Uint8Array {
  if (err instanceof WitnessError) {
    return encodeWitnessMessage({
      type: 'error',
      code: err.code,
      message: err.message.slice(0, 1024),
      status: err.status,
      ...(err.recordedSize === undefined ? {} : { size: err.recordedSize }),
    });
  }
  const known = isGovfedError(err);
  return encodeWitnessMessage({
    type: 'error',
    code: known ? err.code : 'ERR_INTERNAL',
    message: known ? err.message.slice(0, 1024) : 'internal error',
    status: known ? httpStatusFor(err.code) : 500,
  });
}

export function witnessProtocolHandler(cosigner: Cosigner, exchange: WitnessExchange) {
  return async (req: Uint8Array): Promise<Uint8Array> => {
    try {
      const decoded = decodeWitnessRequest(req);
      if (decoded.type === 'get-witnessed') {
        return encodeWitnessMessage({ type: 'witnessed', notes: await exchange.answer() });
      }
      return encodeWitnessMessage({ type: 'cosignatures', lines: await cosigner.addCheckpoint(utf8(decoded.body)) });
    } catch (err) {
      return failure(err);
    }
  };
}
