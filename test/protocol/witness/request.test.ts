import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  formatAddCheckpoint,
  formatCosignatureLines,
  formatSizeBody,
  MAX_ADD_CHECKPOINT_BYTES,
  MAX_PROOF_LINES,
  parseAddCheckpoint,
  parseCosignatureLines,
  parseSizeBody,
} from '../../../protocol/witness/request.ts';
import { buildLog, checkpointOf, NOW_S, witness } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

/** The example request body of c2sp.org/tlog-witness (its signatures are by keys we do not know). */
const SPEC_PROOF = [
  'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=',
  'jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=',
  '5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=',
  '/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=',
];
const SPEC_NOTE =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n' +
  '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n' +
  '— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n';
const SPEC_BODY = `old 20852014\n${SPEC_PROOF.map((p) => `${p}\n`).join('')}\n${SPEC_NOTE}`;

const log = buildLog(8);
const NOTE = checkpointOf(0, log, 8);
const HASH = log.roots[3] as Uint8Array;

describe('parseAddCheckpoint', () => {
  describe('when given the example body of the spec', () => {
    it('reads the old size, the proof and the checkpoint', () => {
      const req = parseAddCheckpoint(SPEC_BODY);
      expect(req.oldSize).toBe(20852014);
      expect(req.proof.map(toBase64)).toEqual(SPEC_PROOF);
      expect(req.note).toBe(SPEC_NOTE);
      expect(req.checkpoint.origin).toBe('example.com/behind-the-sofa');
      expect(req.checkpoint.size).toBe(20852163);
      expect(parseAddCheckpoint(utf8(SPEC_BODY))).toEqual(req);
    });
  });

  describe('when the body has no proof lines', () => {
    it('gives an empty proof', () => {
      expect(parseAddCheckpoint(`old 0\n\n${NOTE}`).proof).toEqual([]);
    });
  });

  describe('when the body is malformed', () => {
    const cases: Array<[string, string | Uint8Array]> = [
      ['empty body', ''],
      ['no newline', 'old 0'],
      ['old size with a leading zero', `old 05\n\n${NOTE}`],
      ['negative old size', `old -1\n\n${NOTE}`],
      ['old size beyond 2^53', `old 9007199254740993\n\n${NOTE}`],
      ['capitalised keyword', `Old 5\n\n${NOTE}`],
      ['two spaces', `old  5\n\n${NOTE}`],
      ['CRLF line ending', `old 5\r\n\r\n${NOTE}`],
      ['proof hash of 31 bytes', `old 5\n${toBase64(HASH.subarray(1))}\n\n${NOTE}`],
      [
        'proof hash in URL-safe base64',
        `old 5\n${SPEC_PROOF[2]?.replaceAll('+', '-').replaceAll('/', '_')}\n\n${NOTE}`,
      ],
      ['proof hash without padding', `old 5\n${toBase64(HASH).replace('=', '')}\n\n${NOTE}`],
      ['no empty line', `old 0\n${NOTE.replace('\n\n', '\n')}`],
      ['note without signatures', `old 0\n\n${NOTE.slice(0, NOTE.indexOf('\n\n') + 1)}`],
      ['checkpoint text not a checkpoint', `old 0\n\nnot a checkpoint\n\n${NOTE.slice(NOTE.indexOf('\n\n') + 2)}`],
      ['64 proof lines', `old 5\n${`${toBase64(HASH)}\n`.repeat(MAX_PROOF_LINES + 1)}\n${NOTE}`],
      ['invalid UTF-8', Uint8Array.of(0x6f, 0x6c, 0x64, 0x20, 0x30, 0x0a, 0x0a, 0xff)],
      ['too large', `old 0\n\n${'x'.repeat(MAX_ADD_CHECKPOINT_BYTES)}`],
    ];
    for (const [name, body] of cases) {
      it(`rejects ${name} with ERR_MALFORMED_WITNESS_REQUEST`, () => {
        expect(() => parseAddCheckpoint(body)).toThrow(code('ERR_MALFORMED_WITNESS_REQUEST'));
      });
    }

    it('accepts exactly 63 proof lines', () => {
      const body = `old 5\n${`${toBase64(HASH)}\n`.repeat(MAX_PROOF_LINES)}\n${NOTE}`;
      expect(parseAddCheckpoint(body).proof).toHaveLength(MAX_PROOF_LINES);
    });
  });
});

describe('formatAddCheckpoint', () => {
  describe('when given any old size and up to 63 hashes', () => {
    it('round-trips through parseAddCheckpoint', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: MAX_PROOF_LINES }),
          (oldSize, proof) => {
            const body = formatAddCheckpoint({ oldSize, proof, note: NOTE });
            const req = parseAddCheckpoint(body);
            expect(req.oldSize).toBe(oldSize);
            expect(req.proof).toEqual(proof);
            expect(req.note).toBe(NOTE);
          },
        ),
        { numRuns: 100 },
      );
    });

    it('writes the spec example byte for byte', () => {
      expect(formatAddCheckpoint({ oldSize: 20852014, proof: SPEC_PROOF.map(fromBase64), note: SPEC_NOTE })).toBe(
        SPEC_BODY,
      );
    });
  });

  describe('when the input cannot be sent', () => {
    it('throws ERR_INVALID_INPUT', () => {
      expect(() => formatAddCheckpoint({ oldSize: -1, proof: [], note: NOTE })).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => formatAddCheckpoint({ oldSize: 0, proof: [new Uint8Array(31)], note: NOTE })).toThrow(
        code('ERR_INVALID_INPUT'),
      );
      const tooMany = Array.from({ length: 64 }, () => HASH);
      expect(() => formatAddCheckpoint({ oldSize: 0, proof: tooMany, note: NOTE })).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('formatSizeBody / parseSizeBody', () => {
  describe('when the size is valid', () => {
    it('is "<decimal>\\n" and parses back', () => {
      expect(formatSizeBody(0)).toBe('0\n');
      expect(formatSizeBody(20852014)).toBe('20852014\n');
      fc.assert(
        fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
          expect(parseSizeBody(formatSizeBody(n))).toBe(n);
        }),
      );
    });
  });

  describe('when the body is not a canonical size line', () => {
    it('rejects it', () => {
      for (const bad of ['', '50', '050\n', '5 \n', '-1\n', '50\n\n', '1e3\n']) {
        expect(() => parseSizeBody(bad)).toThrow(code('ERR_MALFORMED_WITNESS_REQUEST'));
      }
      expect(() => formatSizeBody(-1)).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('formatCosignatureLines / parseCosignatureLines', () => {
  describe('when given cosignatures', () => {
    it('writes one signature line each and parses them back', () => {
      const text = NOTE.slice(0, NOTE.indexOf('\n\n') + 1);
      const a = witness(1);
      const b = witness(2, NOW_S + 5);
      const sigs = [a, b].map((w) => ({ name: w.name, keyHash: w.keyHash, signature: w.sign(utf8(text)) }));
      const body = formatCosignatureLines(sigs);
      expect(body.split('\n')).toHaveLength(3);
      expect(body.startsWith('— govfed/us/witness ')).toBe(true);
      expect(parseCosignatureLines(body)).toEqual(sigs);
    });
  });

  describe('when the body is not signature lines', () => {
    it('rejects it with ERR_MALFORMED_NOTE', () => {
      for (const bad of ['', 'hello\n', '— w AAAA\n', `— w ${toBase64(new Uint8Array(8))}`]) {
        expect(() => parseCosignatureLines(bad)).toThrow(code('ERR_MALFORMED_NOTE'));
      }
      expect(() => formatCosignatureLines([])).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});
