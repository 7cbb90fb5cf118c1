import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  decodeHashes,
  decodeLogRequest,
  decodeLogResponse,
  encodeLogMessage,
  LOG_PROTOCOL_MAX_BYTES,
} from '../../../protocol/witness/log-protocol.ts';

const ORIGIN = 'govfed/test/00000000';
const code = (c: string) => expect.objectContaining({ code: c });

describe('decodeLogRequest', () => {
  describe('when the request is well-formed', () => {
    it('returns it', () => {
      const req = { type: 'get-inclusion', origin: ORIGIN, index: 3, treeSize: 9 } as const;
      expect(decodeLogRequest(encodeLogMessage(req))).toEqual(req);
      expect(decodeLogRequest(utf8('{"type":"get-checkpoint"}'))).toEqual({ type: 'get-checkpoint' });
    });
  });

  describe('when a lookup asks by decision id or leaf hash', () => {
    it('returns it; both, neither, an empty or long id, or a hash of another length is ERR_INVALID_INPUT', () => {
      const byId = { type: 'lookup', origin: ORIGIN, decisionId: 'loan-42' } as const;
      expect(decodeLogRequest(encodeLogMessage(byId))).toEqual(byId);
      const byHash = { type: 'lookup', leafHash: `${'A'.repeat(43)}=` } as const;
      expect(decodeLogRequest(encodeLogMessage(byHash))).toEqual(byHash);
      for (const bad of [
        { type: 'lookup' },
        { type: 'lookup', decisionId: 'x', leafHash: `${'A'.repeat(43)}=` },
        { type: 'lookup', decisionId: '' },
        { type: 'lookup', decisionId: 'x'.repeat(129) },
        { type: 'lookup', leafHash: 'AAAA' },
        { type: 'lookup', decisionId: 'x', extra: 1 },
      ]) {
        expect(() => decodeLogRequest(utf8(JSON.stringify(bad))), JSON.stringify(bad)).toThrow(
          expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
        );
      }
      expect(decodeLogResponse(utf8('{"type":"found","index":7}'), 'found')).toEqual({ type: 'found', index: 7 });
    });
  });

  describe('when the request is malformed (attacker-controlled)', () => {
    it('throws ERR_INVALID_INPUT', () => {
      for (const bad of [
        'nope',
        '[]',
        '{"type":"get-entry","index":-1}',
        '{"type":"get-entry","index":1.5}',
        '{"type":"get-entry","index":1,"extra":true}',
        '{"type":"delete-everything"}',
        '{"type":"get-consistency","from":1}',
      ]) {
        expect(() => decodeLogRequest(utf8(bad)), bad).toThrow(code('ERR_INVALID_INPUT'));
      }
      expect(() => decodeLogRequest(new Uint8Array(LOG_PROTOCOL_MAX_BYTES + 1))).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('decodeLogResponse', () => {
  describe('when the peer answers with an error', () => {
    it('throws a GovfedError with its code', () => {
      const err = encodeLogMessage({ type: 'error', code: 'ERR_NOT_FOUND', message: 'no entry' });
      expect(() => decodeLogResponse(err, 'entry')).toThrow(code('ERR_NOT_FOUND'));
    });
  });

  describe('when the peer answers with another type or too many hashes', () => {
    it('throws ERR_INVALID_INPUT', () => {
      expect(() => decodeLogResponse(encodeLogMessage({ type: 'entry', index: 0, entry: '' }), 'inclusion')).toThrow(
        code('ERR_INVALID_INPUT'),
      );
      const proof = Array.from({ length: 66 }, () => `${'A'.repeat(43)}=`);
      const res = encodeLogMessage({ type: 'consistency', from: 1, to: 2, oldRoot: proof[0] as string, proof });
      expect(() => decodeLogResponse(res, 'consistency')).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => decodeHashes(['AAAA'])).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});
