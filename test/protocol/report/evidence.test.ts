import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { decodeEnvelope } from '../../../protocol/dsse/index.ts';
import { toHex } from '../../../protocol/encoding/bytes.ts';
import { claimPersonSigned, LEAF_KIND } from '../../../protocol/report/evidence.ts';
import { contract, FED } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('claimPersonSigned', () => {
  it('gives the maker and the exact leaf the maker’s log holds for the record', () => {
    const env = contract();
    const c = claimPersonSigned('contract', env);
    expect(c.maker).toBe('eu');
    expect(c.leaf).toEqual({
      v: 1,
      type: 'governance',
      kind: LEAF_KIND.contract,
      time: '2025-05-02T00:00:00Z',
      digest: `sha256:${toHex(sha256(decodeEnvelope(env).payload))}`,
      ref: `registry/${FED.id}/contract/eu/fraud@1.0.0/1`,
    });
  });

  describe('when the record is not of the kind it is cited as', () => {
    it('fails with ERR_MALFORMED_REPORT_EVIDENCE', () => {
      expect(() => claimPersonSigned('approval', contract())).toThrow(code('ERR_MALFORMED_REPORT_EVIDENCE'));
      expect(() => claimPersonSigned('registration', { payloadType: 'x', payload: '', signatures: [] })).toThrow(
        code('ERR_MALFORMED_REPORT_EVIDENCE'),
      );
    });
  });
});
