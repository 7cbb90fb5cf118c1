import { describe, expect, it } from 'vitest';
import {
  CheckFailedError,
  CliError,
  describeError,
  ExitCode,
  exitCodeFor,
  UnreachableError,
  UsageError,
} from '../../cli/exit.ts';
import { GovfedError } from '../../protocol/errors.ts';

describe('exitCodeFor', () => {
  describe('when a CLI error is thrown', () => {
    it.each([
      [new UsageError('x'), ExitCode.USAGE],
      [new CheckFailedError('x'), ExitCode.CHECK_FAILED],
      [new UnreachableError('x'), ExitCode.UNREACHABLE],
      [new CliError(ExitCode.ERROR, 'x'), ExitCode.ERROR],
    ])('uses its own exit code (%s)', (err, code) => {
      expect(exitCodeFor(err)).toBe(code);
    });
  });

  describe('when a GovfedError is thrown', () => {
    it('maps protocol verification codes to 1', () => {
      expect(exitCodeFor(new GovfedError('ERR_ROOT_MISMATCH', 'x'))).toBe(ExitCode.CHECK_FAILED);
    });

    it('maps local node codes to 4', () => {
      expect(exitCodeFor(new GovfedError('ERR_HOME_NOT_FOUND', 'x'))).toBe(ExitCode.ERROR);
    });
  });

  describe('when anything else is thrown', () => {
    it('exits 4', () => {
      expect(exitCodeFor(new Error('boom'))).toBe(ExitCode.ERROR);
      expect(exitCodeFor('boom')).toBe(ExitCode.ERROR);
    });
  });
});

describe('describeError', () => {
  describe('when the error has a code', () => {
    it('prefixes it once', () => {
      expect(describeError(new GovfedError('ERR_BAD_SIGNATURE', 'bad'))).toBe('ERR_BAD_SIGNATURE: bad');
      expect(describeError(new CliError(ExitCode.ERROR, 'ERR_X: y', { code: 'ERR_X' }))).toBe('ERR_X: y');
    });
  });
});
