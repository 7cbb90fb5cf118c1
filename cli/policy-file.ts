/**
 * Reading a policy file, the one way `policy check`, `policy propose` and `policy local set` all do it:
 * strict JSON (cli/commands/policy-view.ts readJsonFile), then its shape — a rule array, or an object whose
 * top-level fields are those of a policy bundle (`rules`, `expiresAt`, and the fields `policy show --json`
 * prints); an unknown field (`"expires"` for `"expiresAt"`) is an error, not silently dropped — then every
 * rule type-checked offline. So the same mistake gives the same code and exit status from all three:
 * ERR_USAGE (exit 2) for a file that is not a policy file, like one that is not JSON; the first problem's
 * code (e.g. ERR_INVALID_RULE, exit 1) for a rule that does not check.
 */

import { formatProblems, readJsonFile } from './commands/policy-view.ts';
import { CheckFailedError, UsageError } from './exit.ts';
import type { Io } from './output.ts';

/** The top-level fields a policy file may have (protocol/policy/baseline.ts PolicyBaseline). */
export const POLICY_FILE_FIELDS = [
  'rules',
  'expiresAt',
  'riskTiers',
  'type',
  'federationId',
  'version',
  'previous',
  'createdAt',
];

export interface PolicyFile {
  rules: unknown[];
  expiresAt?: string;
  riskTiers?: unknown;
}

/** The file's shape, checked; a usage error (exit 2), like a file that is not JSON. */
export function policyFileShape(command: string, file: string, value: unknown): PolicyFile {
  if (Array.isArray(value)) return { rules: value };
  const fail = (msg: string) => new UsageError(`${command}: '${file}': ${msg}`);
  if (typeof value !== 'object' || value === null) {
    throw fail('must hold {"rules": [...], "expiresAt"?: "RFC 3339"} or a rule array');
  }
  const v = value as Record<string, unknown>;
  const unknown = Object.keys(v).filter((k) => !POLICY_FILE_FIELDS.includes(k));
  if (unknown.length > 0) {
    const hint = unknown.includes('expires') ? ' (did you mean "expiresAt"?)' : '';
    throw fail(
      `unknown top-level field ${unknown.map((k) => JSON.stringify(k)).join(', ')}${hint}; allowed: ${POLICY_FILE_FIELDS.join(', ')}`,
    );
  }
  if (!Array.isArray(v.rules)) throw fail('"rules" must be an array of rules');
  if (v.expiresAt !== undefined && typeof v.expiresAt !== 'string')
    throw fail('"expiresAt" must be an RFC 3339 string');
  if (v.riskTiers !== undefined && (typeof v.riskTiers !== 'object' || v.riskTiers === null))
    throw fail('"riskTiers" must be an object {serious, high, medium}');
  return {
    rules: v.rules,
    ...(typeof v.expiresAt === 'string' ? { expiresAt: v.expiresAt } : {}),
    ...(v.riskTiers === undefined ? {} : { riskTiers: v.riskTiers }),
  };
}

/**
 * Reads, shape-checks and type-checks the policy file `file`. The problems are printed on stderr (unless
 * `quiet`) and thrown as a CheckFailedError with the first problem's code.
 */
export async function readPolicyFile(command: string, file: string, io: Io, quiet = false): Promise<PolicyFile> {
  const body = policyFileShape(command, file, await readJsonFile(command, file));
  // CEL and the hook environments load only here, so other commands stay fast.
  const { checkRuleSet, checkRiskTiers } = await import('../protocol/policy/index.ts');
  if (body.riskTiers !== undefined) {
    try {
      checkRiskTiers(body.riskTiers);
    } catch (cause) {
      throw new CheckFailedError(`${command}: '${file}': ${(cause as Error).message}`, {
        code: 'ERR_MALFORMED_POLICY',
        cause,
      });
    }
  }
  const result = checkRuleSet({ rules: body.rules });
  if (!result.ok) {
    if (!quiet) io.stderr(formatProblems(result.errors as unknown as Record<string, unknown>[]));
    const code = result.errors[0]?.code ?? 'ERR_INVALID_RULE';
    throw new CheckFailedError(`${command}: ${result.errors.length} problem(s) in '${file}'`, { code });
  }
  return body;
}
