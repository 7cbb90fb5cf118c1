/**
 * The answering side of `/govfed/log/1.0.0` (protocol/witness/log-protocol.ts): requests from other
 * members (attacker-controlled) about this node's own audit logs — and only those: a request naming
 * another log, a member's included, is refused with ERR_UNKNOWN_ORIGIN, never passed on (members ask
 * each log's owner directly). Decoding and encoding are the protocol module's; this file only reads
 * the log.
 */
import { fromBase64, toBase64 } from '../../protocol/encoding/bytes.ts';
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import {
  decodeLogRequest,
  encodeLogMessage,
  type LogRequest,
  type LogResponse,
} from '../../protocol/witness/log-protocol.ts';
import { NodeError } from '../errors.ts';
import type { AuditLog } from '../log/index.ts';

/** What answering needs from the log. */
export type ServedLog = Pick<
  AuditLog,
  'checkpoint' | 'entry' | 'proveConsistency' | 'proveInclusion' | 'treeHash' | 'lookupLeafHash' | 'lookupDecision'
>;

/**
 * Answers requests (attacker-controlled) about this node's own audit logs: `origin` (the current one,
 * also for requests that name none) or one `logOf` returns (a retired one). Any other origin is
 * ERR_UNKNOWN_ORIGIN.
 */
export function logProtocolHandler(origin: string, logOf: (origin: string) => ServedLog | undefined) {
  return async (req: Uint8Array): Promise<Uint8Array> => {
    try {
      const decoded = decodeLogRequest(req);
      const asked = ('origin' in decoded ? decoded.origin : undefined) ?? origin;
      const log = logOf(asked);
      if (log === undefined) {
        throw new GovfedError(
          'ERR_UNKNOWN_ORIGIN',
          `this node serves only its own logs, not ${asked}: ask its owner's node (nobody relays)`,
        );
      }
      return encodeLogMessage(await answer(log, asked, decoded));
    } catch (err) {
      const code = isGovfedError(err) ? err.code : 'ERR_INTERNAL';
      const message = isGovfedError(err) ? err.message : 'internal error';
      return encodeLogMessage({ type: 'error', code, message: message.slice(0, 1024) });
    }
  };
}

async function answer(log: ServedLog, origin: string, req: LogRequest): Promise<LogResponse> {
  switch (req.type) {
    case 'get-checkpoint':
      return { type: 'checkpoint', note: log.checkpoint().note };
    case 'get-consistency': {
      const proof = await log.proveConsistency(req.from, req.to);
      const oldRoot = await log.treeHash(req.from);
      return {
        type: 'consistency',
        from: req.from,
        to: req.to,
        oldRoot: toBase64(oldRoot),
        proof: proof.map(toBase64),
      };
    }
    case 'get-inclusion': {
      if (req.index >= req.treeSize) throw new GovfedError('ERR_INDEX_OUT_OF_RANGE', 'index must be below treeSize');
      const proof = await log.proveInclusion(req.index, req.treeSize);
      const entry = await log.entry(req.index);
      return {
        type: 'inclusion',
        index: req.index,
        treeSize: req.treeSize,
        entry: toBase64(entry),
        proof: proof.map(toBase64),
      };
    }
    case 'get-entry':
      return { type: 'entry', index: req.index, entry: toBase64(await log.entry(req.index)) };
    case 'lookup': {
      const index =
        'leafHash' in req
          ? await log.lookupLeafHash(fromBase64(req.leafHash))
          : await log.lookupDecision(req.decisionId);
      if (index === undefined) throw new NodeError('ERR_NOT_FOUND', `no entry of ${origin} has it`);
      return { type: 'found', index };
    }
  }
}
