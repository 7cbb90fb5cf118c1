/**
 * ApiError: the node answered with an HTTP error status and its `{error: {code, message}}`. The exit code
 * is the code's row in the exit-code table (node/errors.ts); a hint is added where the code alone says
 * what to do.
 */
import { exitCodeForCode } from '../node/errors.ts';
import { CliError } from './exit.ts';

/** Thrown when the node answers with an HTTP error status. */
export class ApiError extends CliError {
  readonly status: number;

  /** The exit code is the code's row in the exit-code table (node/errors.ts); 4 for a code it does not know. */
  constructor(status: number, code: string, message: string) {
    super(exitCodeForCode(code), `${message}${hintFor(code)} (HTTP ${status})`, { code });
    this.name = 'ApiError';
    this.status = status;
  }
}

/** What to do about an API error, where the code alone says it. */
function hintFor(code: string): string {
  if (code === 'ERR_UNAUTHORIZED') {
    return ': the node does not accept this token; pass a valid one with --token or GOVFED_TOKEN (default DIR/admin.token), see govfed token list';
  }
  return '';
}
