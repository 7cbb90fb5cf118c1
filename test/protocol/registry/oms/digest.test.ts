import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkResourceName,
  compareResourceNames,
  externalDigest,
  type OmsResource,
  omsRootDigest,
  parseExternalRef,
} from '../../../../protocol/registry/oms/index.ts';
import { pythonBytesRepr } from '../../../../protocol/registry/oms/pae-compat.ts';
import { vectorPath } from '../../../helpers/paths.ts';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** The subject digest a vector's model.sig names (read without any verification). */
function subjectDigest(folder: string): string {
  const bundle = JSON.parse(readFileSync(vectorPath('oms', folder, 'model.sig'), 'utf8'));
  const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
  return `sha256:${statement.subject[0].digest.sha256}`;
}

function vectorFiles(folder: string, names: string[]): OmsResource[] {
  return names.map((name) => ({ name, digest: sha(readFileSync(vectorPath('oms', folder, name))) }));
}

describe('omsRootDigest', () => {
  describe('when given the files of each reference vector', () => {
    it.each([
      ['v1.0.0-certificate', ['signme-1', 'signme-2']],
      ['v1.1.0-certificate', ['signme-2', 'signme-1']],
      ['v1.1.0-elliptic-key', ['signme-1', 'signme-2']],
      ['v1.1.0-sigstore', ['signme-1', 'signme-2']],
    ])('equals the subject digest of %s/model.sig', (folder, names) => {
      expect(omsRootDigest(vectorFiles(folder, names))).toBe(subjectDigest(folder));
    });

    it('gives a one-file model (resource ".") the subject digest of v1.0.0-elliptic-key', () => {
      const digest = sha(readFileSync(vectorPath('oms', 'v1.0.0-elliptic-key', 'signme-1')));
      expect(omsRootDigest([{ name: '.', digest }])).toBe(subjectDigest('v1.0.0-elliptic-key'));
    });
  });

  describe('when the names sort differently by component than by string', () => {
    it('hashes "a/b" before "a-b", as the reference sorts PurePosixPath keys', () => {
      const d1 = 'aa'.repeat(32);
      const d2 = 'bb'.repeat(32);
      const expected = `sha256:${sha(Buffer.from(d1 + d2, 'hex'))}`;
      expect(
        omsRootDigest([
          { name: 'a-b', digest: d2 },
          { name: 'a/b', digest: d1 },
        ]),
      ).toBe(expected);
      expect(compareResourceNames('a/b', 'a-b')).toBeLessThan(0);
      expect(compareResourceNames('a', 'a/b')).toBeLessThan(0);
      // by code point, not UTF-16 unit: U+FF61 sorts before U+1F600
      expect(compareResourceNames('\uff61', '\u{1f600}')).toBeLessThan(0);
    });
  });

  describe('when the input is not a set of files', () => {
    it.each([
      [[{ name: 'a', digest: 'AB'.repeat(32) }]],
      [[{ name: 'a', digest: 'ab' }]],
      [
        [
          { name: 'a', digest: 'ab'.repeat(32) },
          { name: 'a', digest: 'cd'.repeat(32) },
        ],
      ],
      [
        [
          { name: '.', digest: 'ab'.repeat(32) },
          { name: 'a', digest: 'cd'.repeat(32) },
        ],
      ],
      [[{ name: '../a', digest: 'ab'.repeat(32) }]],
    ])('refuses %j with ERR_INVALID_INPUT', (resources) => {
      expect(() => omsRootDigest(resources)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    });
  });
});

describe('checkResourceName', () => {
  it.each(['a', 'd0/f00', '.', 'weights.bin', 'ünïcode/ok'])('accepts %j', (name) => {
    expect(checkResourceName(name, 'ERR_INVALID_INPUT')).toBe(name);
  });
  it.each(['', '/abs', 'a//b', 'a/', './a', 'a/../b', '..', 'a\nb', 'x\u0000', 'a'.repeat(4097)])(
    'refuses %j',
    (name) => {
      expect(() => checkResourceName(name, 'ERR_MALFORMED_STATEMENT')).toThrow(
        expect.objectContaining({ code: 'ERR_MALFORMED_STATEMENT' }),
      );
    },
  );
});

describe('externalDigest', () => {
  it('is sha256 of the JCS form of {model, provider, snapshot}, opaque', () => {
    const d = externalDigest({ provider: 'openai', model: 'gpt-4o', snapshot: '2024-08-06' });
    const jcs = '{"model":"gpt-4o","provider":"openai","snapshot":"2024-08-06"}';
    expect(d).toEqual({ ref: 'openai/gpt-4o@2024-08-06', digest: `sha256:${sha(jcs)}`, assurance: 'opaque' });
  });

  it('is the same for the parsed reference string', () => {
    expect(externalDigest(parseExternalRef('openai/gpt-4o@2024-08-06')).digest).toBe(
      externalDigest({ provider: 'openai', model: 'gpt-4o', snapshot: '2024-08-06' }).digest,
    );
  });
});

describe('parseExternalRef', () => {
  it('splits at the first "/" and the last "@"; the model may have segments', () => {
    expect(parseExternalRef('hf/meta-llama/Llama-3.1-8B@v1.0')).toEqual({
      provider: 'hf',
      model: 'meta-llama/Llama-3.1-8B',
      snapshot: 'v1.0',
    });
  });

  it.each([
    'openai/gpt-4o',
    'gpt-4o@2024',
    '/gpt@1',
    'openai/@1',
    'openai/gpt@',
    'open ai/gpt@1',
    'openai/gpt@1@2',
    'openai/gp\u202et@1',
    'openai//gpt@1',
    `${'p'.repeat(65)}/m@s`,
    `p/m@${'s'.repeat(129)}`,
    'p/m@s\n',
  ])('refuses %j with ERR_INVALID_MODEL_REF', (ref) => {
    expect(() => parseExternalRef(ref)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_MODEL_REF' }));
  });

  it('refuses a non-string', () => {
    expect(() => parseExternalRef(42)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_MODEL_REF' }));
  });
});

describe('pythonBytesRepr (the pre-1.0 signed encoding)', () => {
  it.each([
    ['{"a": 1}\n', `b'{"a": 1}\\n'`],
    ["it's", `b"it's"`],
    [`it's "x"`, `b'it\\'s "x"'`],
    ['tab\there\r\\', "b'tab\\there\\r\\\\'"],
  ])('writes %j as CPython does', (input, expected) => {
    expect(pythonBytesRepr(Buffer.from(input))).toBe(expected);
  });

  it('escapes bytes outside printable ASCII as \\xNN', () => {
    expect(pythonBytesRepr(Uint8Array.of(0x00, 0x7f, 0xff, 0x41))).toBe("b'\\x00\\x7f\\xffA'");
  });
});
