import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { keyIdOf, signEnvelope } from '../../../protocol/dsse/index.ts';
import { fromBase64, fromUtf8, toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  INTOTO_PAYLOAD_TYPE,
  makeStatement,
  parseStatement,
  type ResourceDescriptor,
  STATEMENT_TYPE,
  type Statement,
  signStatement,
  statementBytes,
  subjectForBytes,
  verifyStatement,
} from '../../../protocol/intoto/statement.ts';

const kp1 = keyPairFromSeed(new Uint8Array(32).fill(1));
const kp2 = keyPairFromSeed(new Uint8Array(32).fill(2));
const signer1 = { keyid: keyIdOf(kp1.publicKey), seed: kp1.seed };
const signer2 = { keyid: keyIdOf(kp2.publicKey), seed: kp2.seed };
const trustedKeys = [
  { keyid: signer1.keyid, publicKey: kp1.publicKey },
  { keyid: signer2.keyid, publicKey: kp2.publicKey },
];

const ARTIFACT = utf8('model weights v1');
const SHA256 = createHash('sha256').update(ARTIFACT).digest('hex');
const SHA512 = createHash('sha512').update(ARTIFACT).digest('hex');
const PREDICATE_TYPE = 'https://govfed.example/Evaluation/v1';

const code = (c: string) => expect.objectContaining({ code: c });
const malformed = code('ERR_MALFORMED_STATEMENT');

function statement(): Statement<{ score: number }> {
  return makeStatement([subjectForBytes('model.bin', ARTIFACT)], PREDICATE_TYPE, { score: 0.5 });
}

/** The JCS bytes of an arbitrary JSON value, to feed parseStatement hand-made statements. */
function bytesOf(value: unknown): Uint8Array {
  return utf8(canonicalText(value));
}
function canonicalText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalText((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function raw(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: 'model.bin', digest: { sha256: SHA256 } }],
    predicateType: PREDICATE_TYPE,
    predicate: { score: 0.5 },
    ...patch,
  };
}

describe('subjectForBytes', () => {
  describe('when given bytes', () => {
    it('names them by their lowercase hex SHA-256', () => {
      expect(subjectForBytes('model.bin', ARTIFACT)).toEqual({ name: 'model.bin', digest: { sha256: SHA256 } });
    });
  });
  describe('when given no bytes', () => {
    it('rejects it', () => {
      expect(() => subjectForBytes('x', 'abc' as unknown as Uint8Array)).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('makeStatement', () => {
  describe('when the inputs are valid', () => {
    it('builds a v1 statement', () => {
      expect(statement()).toEqual({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'model.bin', digest: { sha256: SHA256 } }],
        predicateType: PREDICATE_TYPE,
        predicate: { score: 0.5 },
      });
    });

    it('leaves predicate out when none is given', () => {
      expect('predicate' in makeStatement([subjectForBytes('a', ARTIFACT)], PREDICATE_TYPE)).toBe(false);
    });
  });

  describe('when the inputs break the schema', () => {
    it('rejects no subjects, a bad digest and a non-URI predicate type', () => {
      expect(() => makeStatement([], PREDICATE_TYPE, {})).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => makeStatement([{ digest: { sha256: 'ABC' } }], PREDICATE_TYPE, {})).toThrow(
        code('ERR_INVALID_INPUT'),
      );
      expect(() => makeStatement([subjectForBytes('a', ARTIFACT)], 'not a uri', {})).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('statementBytes', () => {
  describe('when given a statement', () => {
    it('is the RFC 8785 canonical JSON (keys sorted, no whitespace)', () => {
      expect(fromUtf8(statementBytes(statement()))).toBe(
        `{"_type":"https://in-toto.io/Statement/v1","predicate":{"score":0.5},"predicateType":"${PREDICATE_TYPE}",` +
          `"subject":[{"digest":{"sha256":"${SHA256}"},"name":"model.bin"}]}`,
      );
    });

    it('does not depend on the order properties were added', () => {
      const reordered = {
        predicate: { score: 0.5 },
        subject: [{ digest: { sha256: SHA256 }, name: 'model.bin' }],
        predicateType: PREDICATE_TYPE,
        _type: STATEMENT_TYPE,
      } as Statement;
      expect(statementBytes(reordered)).toEqual(statementBytes(statement()));
    });
  });

  describe('when the predicate is not JSON', () => {
    it('rejects it', () => {
      const s = { ...statement(), predicate: { score: Number.NaN } };
      expect(() => statementBytes(s)).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('parseStatement', () => {
  describe('when given canonical bytes of a valid statement', () => {
    it('round-trips statementBytes', () => {
      expect(parseStatement(statementBytes(statement()))).toEqual(statement());
    });

    it('round-trips any valid subjects and predicate', () => {
      const hex = (n: number) =>
        fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
      const descriptor = fc.record(
        { name: fc.string(), digest: fc.record({ sha256: hex(32), sha512: hex(64) }, { requiredKeys: ['sha256'] }) },
        { requiredKeys: ['digest'] },
      );
      fc.assert(
        fc.property(
          fc.array(descriptor, { minLength: 1, maxLength: 4 }),
          fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
          (subject, predicate) => {
            fc.pre(!/\p{Surrogate}/u.test(JSON.stringify([subject, predicate])));
            const s = makeStatement(subject as ResourceDescriptor[], PREDICATE_TYPE, predicate);
            expect(parseStatement(statementBytes(s))).toEqual(s);
          },
        ),
        { numRuns: 50 },
      );
    });

    it('keeps fields it does not know (the spec says to ignore them, not reject)', () => {
      const s = parseStatement(bytesOf(raw({ extension: { a: 1 } })));
      expect((s as unknown as Record<string, unknown>).extension).toEqual({ a: 1 });
    });

    it('accepts a statement without predicate', () => {
      const { predicate: _, ...rest } = raw();
      expect(parseStatement(bytesOf(rest)).predicate).toBeUndefined();
    });

    it('accepts other known descriptor fields and unknown digest algorithms', () => {
      const subject = [
        {
          digest: { sha512: SHA512, gitCommit: 'a'.repeat(40), somecoolhash: 'Opaque+Value=' },
          uri: 'pkg:npm/govfed@1.0.0',
          mediaType: 'application/octet-stream',
          annotations: { reviewed: true },
        },
      ];
      expect(parseStatement(bytesOf(raw({ subject }))).subject).toEqual(subject);
    });
  });

  describe('when the JSON is not canonical', () => {
    it.each([
      ['whitespace', (s: string) => s.replace(':', ': ')],
      [
        'unsorted keys',
        () => JSON.stringify({ subject: raw().subject, _type: STATEMENT_TYPE, predicateType: PREDICATE_TYPE }),
      ],
      ['a duplicate key', (s: string) => s.replace('{"_type"', `{"_type":"x","_type"`)],
      ['a trailing newline', (s: string) => `${s}\n`],
      ['invalid JSON', (s: string) => s.slice(0, -1)],
    ])('rejects %s', (_, mutate) => {
      const text = canonicalText(raw());
      expect(() => parseStatement(utf8(mutate(text)))).toThrow(malformed);
    });

    it('rejects invalid UTF-8', () => {
      expect(() => parseStatement(Uint8Array.of(0x7b, 0xc3, 0x7d))).toThrow(malformed);
    });

    it('rejects more than 1 MiB', () => {
      const big = raw({ predicate: { pad: 'x'.repeat(1 << 20) } });
      expect(() => parseStatement(bytesOf(big))).toThrow(malformed);
    });
  });

  describe('when the statement breaks the schema', () => {
    it.each([
      ['a JSON array', []],
      ['a wrong _type', raw({ _type: 'https://in-toto.io/Statement/v0.1' })],
      ['no _type', { subject: raw().subject, predicateType: PREDICATE_TYPE }],
      ['an empty subject list', raw({ subject: [] })],
      ['subject not an array', raw({ subject: { digest: { sha256: SHA256 } } })],
      ['a subject without digest', raw({ subject: [{ name: 'x' }] })],
      ['an empty digest', raw({ subject: [{ digest: {} }] })],
      ['uppercase hex', raw({ subject: [{ digest: { sha256: SHA256.toUpperCase() } }] })],
      ['a short sha256', raw({ subject: [{ digest: { sha256: SHA256.slice(2) } }] })],
      ['a 64-character sha512', raw({ subject: [{ digest: { sha512: SHA256 } }] })],
      ['a non-hex sha256', raw({ subject: [{ digest: { sha256: `${SHA256.slice(1)}g` } }] })],
      ['an empty digest value', raw({ subject: [{ digest: { other: '' } }] })],
      ['a numeric digest value', raw({ subject: [{ digest: { other: 5 } }] })],
      ['non-hex gitCommit', raw({ subject: [{ digest: { gitCommit: 'main' } }] })],
      ['a numeric name', raw({ subject: [{ name: 1, digest: { sha256: SHA256 } }] })],
      ['annotations as an array', raw({ subject: [{ digest: { sha256: SHA256 }, annotations: [] }] })],
      ['no predicateType', raw({ predicateType: undefined })],
      ['a relative predicateType', raw({ predicateType: '/Evaluation/v1' })],
      ['a predicateType with spaces', raw({ predicateType: 'https://x.example/a b' })],
      ['a predicateType with a bad % escape', raw({ predicateType: 'https://x.example/%zz' })],
      ['a predicate that is an array', raw({ predicate: [1] })],
      ['a predicate that is a string', raw({ predicate: 'yes' })],
      ['a null predicate', raw({ predicate: null })],
    ])('rejects %s', (_, value) => {
      const v = JSON.parse(JSON.stringify(value));
      expect(() => parseStatement(bytesOf(v))).toThrow(malformed);
    });
  });
});

describe('signStatement', () => {
  describe('when signing', () => {
    it('puts the canonical statement in an in-toto DSSE envelope', () => {
      const env = signStatement(statement(), [signer1]);
      expect(env.payloadType).toBe(INTOTO_PAYLOAD_TYPE);
      expect(fromBase64(env.payload)).toEqual(statementBytes(statement()));
      expect(env.signatures).toHaveLength(1);
    });
  });
});

describe('verifyStatement', () => {
  describe('when enough trusted keys signed', () => {
    it('returns the statement and its signers', () => {
      const env = signStatement(statement(), [signer1, signer2]);
      const out = verifyStatement(env, { trustedKeys, threshold: 2 });
      expect(out.statement).toEqual(statement());
      expect(out.signedBy).toEqual([signer1.keyid, signer2.keyid]);
    });
  });

  describe('when too few trusted keys signed', () => {
    it('rejects before looking at the statement', () => {
      const env = signStatement(statement(), [signer1]);
      expect(() => verifyStatement(env, { trustedKeys, threshold: 2 })).toThrow(code('ERR_THRESHOLD_NOT_MET'));
    });
  });

  describe('when the envelope is not of the in-toto type', () => {
    it('rejects it even if the signatures are valid', () => {
      const env = signEnvelope('application/json', statementBytes(statement()), [signer1]);
      expect(() => verifyStatement(env, { trustedKeys, threshold: 1 })).toThrow(code('ERR_PAYLOAD_TYPE_MISMATCH'));
    });
  });

  describe('when a validly signed payload is not a valid statement', () => {
    it('rejects it', () => {
      const env = signEnvelope(INTOTO_PAYLOAD_TYPE, bytesOf(raw({ subject: [] })), [signer1]);
      expect(() => verifyStatement(env, { trustedKeys, threshold: 1 })).toThrow(malformed);
    });
  });

  describe('when the payload was changed', () => {
    it('rejects it', () => {
      const env = signStatement(statement(), [signer1]);
      const other = statementBytes({ ...statement(), predicate: { score: 1 } });
      expect(() => verifyStatement({ ...env, payload: toBase64(other) }, { trustedKeys, threshold: 1 })).toThrow(
        code('ERR_THRESHOLD_NOT_MET'),
      );
    });
  });

  describe('when a predicate type is expected', () => {
    it('accepts the same type and rejects another', () => {
      const env = signStatement(statement(), [signer1]);
      expect(verifyStatement(env, { trustedKeys, threshold: 1, predicateType: PREDICATE_TYPE }).signedBy).toHaveLength(
        1,
      );
      expect(() =>
        verifyStatement(env, { trustedKeys, threshold: 1, predicateType: 'https://slsa.dev/provenance/v1' }),
      ).toThrow(code('ERR_PREDICATE_TYPE_MISMATCH'));
    });
  });

  describe('when subject digests are expected', () => {
    const twoSubjects = makeStatement(
      [
        { name: 'a', digest: { sha256: SHA256, sha512: SHA512 } },
        { name: 'b', digest: { sha256: 'b'.repeat(64) } },
      ],
      PREDICATE_TYPE,
      {},
    );
    const env = signStatement(twoSubjects, [signer1]);
    const verifyWith = (expectedDigests: Record<string, string>[]) =>
      verifyStatement(env, { trustedKeys, threshold: 1, expectedDigests });

    it('accepts digests that each match some subject', () => {
      expect(verifyWith([{ sha256: SHA256 }, { sha256: 'b'.repeat(64) }]).statement.subject).toHaveLength(2);
      expect(verifyWith([{ sha512: SHA512 }]).signedBy).toHaveLength(1);
      expect(verifyWith([{ sha256: SHA256, sha512: SHA512 }]).signedBy).toHaveLength(1);
    });

    it('rejects a digest no subject has', () => {
      expect(() => verifyWith([{ sha256: 'c'.repeat(64) }])).toThrow(code('ERR_SUBJECT_MISMATCH'));
      expect(() => verifyWith([{ sha256: SHA256 }, { sha256: 'c'.repeat(64) }])).toThrow(code('ERR_SUBJECT_MISMATCH'));
    });

    it('rejects a set that agrees on one algorithm but contradicts another', () => {
      expect(() => verifyWith([{ sha256: SHA256, sha512: 'd'.repeat(128) }])).toThrow(code('ERR_SUBJECT_MISMATCH'));
    });

    it('rejects a set sharing no algorithm with the subject', () => {
      expect(() => verifyWith([{ sha512: createHash('sha512').update('b').digest('hex') }])).toThrow(
        code('ERR_SUBJECT_MISMATCH'),
      );
    });

    it('rejects expected digests without sha256 or sha512, or malformed ones', () => {
      expect(() => verifyWith([{ sha1: 'a'.repeat(40) }])).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => verifyWith([{ sha256: 'XYZ' }])).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => verifyWith([{}])).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});
