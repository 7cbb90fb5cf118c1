import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  decodeCountsRequest,
  decodeCountsResponse,
  encodeCountsRequest,
  encodeCountsResponse,
  MAX_REQUEST_VERSIONS,
} from '../../../protocol/report/protocol.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const asked = { model: { org: 'eu', name: 'fraud', version: '1.0.0' }, digest: `sha256:${'ab'.repeat(32)}` };

describe('decodeCountsRequest', () => {
  it('reads back what encodeCountsRequest wrote', () => {
    expect(decodeCountsRequest(encodeCountsRequest([asked]))).toEqual([asked]);
  });

  describe('when the frame is not a well-formed request (attacker-controlled)', () => {
    it('fails with ERR_MALFORMED_REPORT_REQUEST or ERR_NOT_CANONICAL', () => {
      expect(() => decodeCountsRequest(utf8('{"type":"get-counts","versions":[]}'))).toThrow(
        code('ERR_MALFORMED_REPORT_REQUEST'),
      );
      expect(() => decodeCountsRequest(encodeCountsRequest(Array(MAX_REQUEST_VERSIONS + 1).fill(asked)))).toThrow(
        code('ERR_MALFORMED_REPORT_REQUEST'),
      );
      expect(() => decodeCountsRequest(utf8('{"versions":[],"type":"get-counts"}'))).toThrow(code('ERR_NOT_CANONICAL'));
      expect(() => decodeCountsRequest(encodeCountsRequest([{ ...asked, digest: 'md5:00' }]))).toThrow(
        code('ERR_MALFORMED_REPORT_REQUEST'),
      );
      expect(() => decodeCountsRequest(utf8('not json'))).toThrow(code('ERR_MALFORMED_REPORT_REQUEST'));
    });
  });
});

describe('decodeCountsResponse', () => {
  it('reads an error answer, and refuses an answer with an extra field', () => {
    expect(
      decodeCountsResponse(encodeCountsResponse({ type: 'error', code: 'ERR_NO_FEDERATION', message: 'no' })),
    ).toEqual({
      type: 'error',
      code: 'ERR_NO_FEDERATION',
      message: 'no',
    });
    expect(() => decodeCountsResponse(utf8('{"extra":1,"statements":[],"type":"counts"}'))).toThrow(
      code('ERR_MALFORMED_REPORT_REQUEST'),
    );
    expect(() => decodeCountsResponse(utf8('{"statements":[{"payload":1}],"type":"counts"}'))).toThrow(
      code('ERR_MALFORMED_REPORT_REQUEST'),
    );
  });
});
