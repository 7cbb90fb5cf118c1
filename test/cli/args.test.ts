import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CommandSpec,
  parseCommandArgs,
  parseHostPort,
  parseIndex,
  renderHelp,
  requireOption,
  stringListOption,
  stringOption,
} from '../../cli/args.ts';
import { ExitCode } from '../../cli/exit.ts';

const spec: CommandSpec = {
  name: 'audit prove',
  summary: 'Prove an entry.',
  usage: 'audit prove --index N [--out FILE]',
  options: {
    index: { type: 'string', value: 'N', description: 'the index' },
    out: { type: 'string', value: 'FILE', description: 'output file' },
    json: { type: 'boolean', description: 'json output' },
  },
  positionals: [{ name: 'FILE', description: 'a file', optional: true }],
  async run() {
    return 0;
  },
};

const usage = expect.objectContaining({ code: 'ERR_USAGE', exitCode: ExitCode.USAGE });

describe('parseCommandArgs', () => {
  describe('when an option is repeatable (multiple: true)', () => {
    const listSpec: CommandSpec = {
      ...spec,
      options: { 'ignore-paths': { type: 'string', value: 'P', multiple: true, description: 'paths' } },
    };

    it('keeps every value in order; stringListOption reads them, [] when absent', () => {
      const a = parseCommandArgs(listSpec, ['--ignore-paths', 'a', '--ignore-paths=b/c']);
      expect(stringListOption(a, 'ignore-paths')).toEqual(['a', 'b/c']);
      expect(stringListOption(parseCommandArgs(listSpec, []), 'ignore-paths')).toEqual([]);
    });

    it('refuses an empty value among them', () => {
      expect(() => parseCommandArgs(listSpec, ['--ignore-paths', 'a', '--ignore-paths='])).toThrow(usage);
    });
  });

  describe('when the arguments match the spec', () => {
    it('returns option values and positionals', () => {
      const a = parseCommandArgs(spec, ['--index', '7', '--json', 'x.json']);
      expect(a.values.index).toBe('7');
      expect(a.values.json).toBe(true);
      expect(a.positionals).toEqual(['x.json']);
    });

    it('accepts --flag=value', () => {
      expect(parseCommandArgs(spec, ['--index=12']).values.index).toBe('12');
    });
  });

  describe('when --help is given', () => {
    it('short-circuits positional checks', () => {
      expect(parseCommandArgs(spec, ['-h', 'a', 'b', 'c']).values.help).toBe(true);
    });
  });

  describe('when the arguments do not match', () => {
    it('rejects an unknown flag as a usage error', () => {
      expect(() => parseCommandArgs(spec, ['--nope'])).toThrow(usage);
    });

    it('rejects a string option without a value', () => {
      expect(() => parseCommandArgs(spec, ['--index'])).toThrow(usage);
    });

    it('rejects an empty string value', () => {
      expect(() => parseCommandArgs(spec, ['--out='])).toThrow(usage);
    });

    it('rejects surplus positionals', () => {
      expect(() => parseCommandArgs(spec, ['a', 'b'])).toThrow(usage);
    });

    it('rejects a missing required positional', () => {
      const strict = { ...spec, positionals: [{ name: 'FILE', description: 'a file' }] };
      expect(() => parseCommandArgs(strict, [])).toThrow(usage);
    });
  });
});

describe('requireOption', () => {
  describe('when the option is missing', () => {
    it('throws a usage error naming it', () => {
      const a = parseCommandArgs(spec, []);
      expect(() => requireOption(a, 'audit prove', 'index')).toThrow(usage);
      expect(stringOption(a, 'index')).toBeUndefined();
    });
  });
});

describe('parseIndex', () => {
  describe('when the value is a canonical non-negative integer', () => {
    it('returns it', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
          expect(parseIndex('c', 'index', String(n))).toBe(n);
        }),
      );
    });
  });

  describe('when the value is not', () => {
    it.each(['', '-1', '01', '1e3', '0x10', '1.5', ' 1', '9007199254740992', 'abc'])('rejects %j', (v) => {
      expect(() => parseIndex('c', 'index', v)).toThrow(usage);
    });
  });
});

describe('parseHostPort', () => {
  describe('when the address is well formed', () => {
    it.each([
      ['127.0.0.1:7370', '127.0.0.1', 7370],
      ['localhost:0', 'localhost', 0],
      ['[::1]:65535', '[::1]', 65535],
    ])('parses %s', (s, host, port) => {
      expect(parseHostPort('c', 'api', s)).toEqual({ host, port });
    });
  });

  describe('when it is not', () => {
    it.each(['127.0.0.1', ':7370', '127.0.0.1:65536', '127.0.0.1:07370', 'http://x:1', 'a b:1'])('rejects %j', (s) => {
      expect(() => parseHostPort('c', 'api', s)).toThrow(usage);
    });
  });
});

describe('renderHelp', () => {
  describe('when rendering a spec', () => {
    it('lists the usage, every option with its placeholder, --help and the positionals', () => {
      const text = renderHelp(spec);
      expect(text).toMatch(/^Usage: govfed audit prove --index N \[--out FILE\]\n/);
      expect(text).toContain('--index N');
      expect(text).toContain('--out FILE');
      expect(text).toContain('--json');
      expect(text).toContain('-h, --help');
      expect(text).toContain('FILE');
    });
  });
});
