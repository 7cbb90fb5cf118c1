/**
 * The message of a schema validation error (fastify + ajv): ajv's own — `querystring/limit must match
 * pattern "^[1-9][0-9]{0,3}$"` reads well enough — except for a `pattern` whose regular expression says
 * nothing to a person (a time bound's is ~300 characters): such a pattern is named by what it takes.
 */
import { TIME_BOUND_PATTERN } from '../../protocol/audit/time-bound.ts';
import { TIME_BOUND_EXPECTED } from './schemas/decisions.ts';

/** Patterns too long to show, and what they take in words. */
const EXPECTED: ReadonlyMap<string, string> = new Map([[TIME_BOUND_PATTERN, TIME_BOUND_EXPECTED]]);

/** The parts of fastify's validation error this reads (ajv's first failure, and where it was). */
export interface SchemaValidationError {
  message: string;
  validation?: readonly { keyword?: string; instancePath?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
}

export function validationMessage(err: SchemaValidationError): string {
  const first = err.validation?.[0];
  const pattern = first?.keyword === 'pattern' ? first.params?.pattern : undefined;
  const expected = typeof pattern === 'string' ? EXPECTED.get(pattern) : undefined;
  if (expected === undefined) return err.message;
  return `${err.validationContext ?? 'request'}${first?.instancePath ?? ''} must be ${expected}`;
}
