/**
 * Exit codes of the govfed CLI and the errors that carry them.
 *
 *   0  ok
 *   1  a verification or check failed (verify, audit fsck, a proof that does not verify)
 *   2  usage error (unknown command or flag, missing or malformed argument)
 *   3  the node is unreachable (connection refused, timeout)
 *   4  any other error (the node answered with an error, a file could not be read, ...)
 *
 * Commands throw; `exitCodeFor` in one place turns what they threw into the process exit code.
 */
import { exitCodeForCode } from '../node/errors.ts';
import { isGovfedError } from '../protocol/errors.ts';

export const ExitCode = {
  OK: 0,
  CHECK_FAILED: 1,
  USAGE: 2,
  UNREACHABLE: 3,
  ERROR: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown by the CLI for a failure whose exit code is known where it is detected. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  /** A stable string code (a GovfedError code or an HTTP API error code) when there is one. */
  readonly code: string | undefined;

  constructor(exitCode: ExitCodeValue, message: string, options?: { code?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = options?.code;
  }
}

/** Thrown when the command line is wrong (exit 2). */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ExitCode.USAGE, message, { code: 'ERR_USAGE', ...options });
    this.name = 'UsageError';
  }
}

/** Thrown when a verification or a consistency check fails (exit 1). */
export class CheckFailedError extends CliError {
  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(ExitCode.CHECK_FAILED, message, options);
    this.name = 'CheckFailedError';
  }
}

/** Thrown when the node cannot be reached over HTTP (exit 3). */
export class UnreachableError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ExitCode.UNREACHABLE, message, { code: 'ERR_UNREACHABLE', ...options });
    this.name = 'UnreachableError';
  }
}

/**
 * The exit code for whatever a command threw: a CliError knows its own; a GovfedError maps by code through
 * node/errors.ts (protocol codes mean "does not verify": 1); anything else is 4.
 */
export function exitCodeFor(err: unknown): ExitCodeValue {
  if (err instanceof CliError) return err.exitCode;
  if (isGovfedError(err)) return exitCodeForCode(err.code);
  return ExitCode.ERROR;
}

/** The stable code of an error, when it has one. */
export function errorCodeOf(err: unknown): string | undefined {
  if (err instanceof CliError) return err.code;
  if (isGovfedError(err)) return err.code;
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** A one-line, human-readable description of an error: `CODE: message`. */
export function describeError(err: unknown): string {
  const code = errorCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return code === undefined || message.startsWith(code) ? message : `${code}: ${message}`;
}
