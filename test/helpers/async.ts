/** Small async helpers of in-process tests: let queued work run, and read a typed error's code. */
import { isGovfedError } from '../../protocol/errors.ts';

/** Lets timers and queued promise work run (a few event-loop turns). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
}

/** The code of the typed error a promise (or function) ends with; 'no error', or 'not coded: …'. */
export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return isGovfedError(err) ? err.code : `not coded: ${String(err)}`;
  }
  return 'no error';
}
