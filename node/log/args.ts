/** Checks of the numbers callers pass to AuditLog (indexes and tree sizes), with protocol error codes. */
import { GovfedError } from '../../protocol/errors.ts';

export function assertIndexArg(n: unknown, what: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new GovfedError('ERR_INDEX_OUT_OF_RANGE', `${what}: expected a non-negative integer, got ${String(n)}`);
  }
}

export function assertSizeArg(n: unknown, size: number, what: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > size) {
    throw new GovfedError('ERR_INVALID_TREE_SIZE', `${what}: expected an integer in [0, ${size}], got ${String(n)}`);
  }
}
