/**
 * A node's local overlay: rules only this node enforces, on top of the global baseline.
 *
 *   { "type": "govfed.policy-local/v1", "version": n, "updatedAt": <RFC 3339 UTC>, "rules": [Rule…] }
 * Same rule format and the same publish-time checks as a bundle (every rule compiles). Evaluation
 * (evaluate.ts) adds local findings to global ones and never removes any: a local rule can deny what
 * the baseline allows and can never allow what it denies. Local ids may repeat global ids; findings
 * carry their scope.
 */
import { isPlainObject, isRfc3339Utc, isUint } from '../audit/fields.ts';
import { GovfedError } from '../errors.ts';
import { type CostLimits, compileRules } from './compile.ts';
import { checkRules, type Rule } from './rule.ts';

export const LOCAL_POLICY_TYPE = 'govfed.policy-local/v1';

export interface LocalPolicy {
  type: typeof LOCAL_POLICY_TYPE;
  /** Grows by one on every change (0: the empty overlay). */
  version: number;
  updatedAt: string;
  rules: Rule[];
}

const FIELDS = ['type', 'version', 'updatedAt', 'rules'];

function malformed(message: string): GovfedError {
  return new GovfedError('ERR_MALFORMED_POLICY', `local policy: ${message}`);
}

/**
 * Checks a local policy (attacker-controlled: PUT /v1/policy/local) and compiles its rules; `limits`
 * lifts the static cost limits for an overlay the node already holds (compile.ts, CostLimits).
 */
export function checkLocalPolicy(value: unknown, limits: CostLimits = {}): LocalPolicy {
  if (!isPlainObject(value)) throw malformed('expected an object');
  for (const k of FIELDS) if (!Object.hasOwn(value, k)) throw malformed(`missing "${k}"`);
  for (const k of Object.keys(value)) if (!FIELDS.includes(k)) throw malformed(`unknown field "${k}"`);
  if (value.type !== LOCAL_POLICY_TYPE) throw malformed(`type: expected "${LOCAL_POLICY_TYPE}"`);
  if (!isUint(value.version)) throw malformed('version: expected an integer >= 0');
  if (!isRfc3339Utc(value.updatedAt)) throw malformed('updatedAt: expected an RFC 3339 UTC timestamp');
  const rules = checkRules(value.rules);
  const registry = rules.find((r) => r.hook === 'register' || r.hook === 'approve' || r.hook === 'deploy');
  if (registry !== undefined) {
    throw new GovfedError(
      'ERR_INVALID_RULE',
      `rules "${registry.id}": ${registry.hook} rules belong in the federation's baseline — every member scores and checks a model version by the same rules, so a local overlay cannot hold them`,
    );
  }
  compileRules(rules, limits);
  return { type: LOCAL_POLICY_TYPE, version: value.version, updatedAt: value.updatedAt, rules };
}
