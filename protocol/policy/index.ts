/**
 * Policy protocol: the pure rules by which a federation publishes one global policy baseline, every
 * node verifies and applies it, and every decision is checked against it. No I/O, no clocks (callers
 * pass `now`), deterministic; every rejection is a GovfedError with a code (docs/errors.md).
 *
 * The model
 *   - Rules (rule.ts). `{id, hook, effect: deny|warn, expression, message}`; the expression is CEL and is
 *     true when the rule fires.
 *   - Hooks (hooks.ts). The moment a rule runs and its typed variables: `decision` (every model
 *     decision: the decision record, defaults filled) plus `node` ({org, jurisdiction}) in every hook.
 *     One declaration per hook; the registry's hooks plug in the same way.
 *   - Compilation (compile.ts, limits.ts, regex*.ts). At publish time every rule is parsed and
 *     type-checked against its hook (cel-js typed Environment); typos, type errors, non-bool results,
 *     unknown variables or fields, over-complex rules and unsafe regexes are rejected with a message
 *     that points at the place. `matches()` runs on a linear-time matcher, never on RegExp.
 *   - Cost (cost.ts, budget.ts, meter.ts). Every rule has a worst-case cost in steps, estimated at
 *     publish time from the record limits and the sizes of intermediate values (concatenation, map
 *     results, regex work); over MAX_RULE_COST per rule or MAX_RULE_SET_COST per list it is rejected
 *     (ERR_RULE_TOO_COSTLY). At run time a deterministic meter counts the same steps and stops a rule at
 *     its budget; the rule then fires (fail closed).
 *   - Evaluation (evaluate.ts). Compiled once, run per event: deny if any global or local deny rule
 *     fires; fail closed (a rule that errors or runs out of budget fires, and the finding says why).
 *     Local rules only add.
 *   - Baselines (baseline.ts, signing.ts). Rules + version + previous digest + expiry, canonical JSON,
 *     DSSE-signed by members' peer keys; active with charter.thresholds.policy member signatures.
 *   - Chain (chain.ts). Applied bundles, one version at a time: rollback, wrong previous, gap, too few
 *     signatures, fork (kept as evidence) and already-expired bundles are rejected, each with its code.
 *   - Receipts (receipt.ts). A member's signed "I applied version n (digest) at log index i".
 *   - Local overlay (local.ts) and sync/gossip messages (sync.ts). docs/policy.md has the formats.
 *
 * How a node uses it
 *   propose   const b = checkBaseline({type: BASELINE_TYPE, federationId, version: chain.version + 1,
 *             previous: chain.current?.digest ?? null, createdAt, expiresAt, rules});
 *             env = signBaseline(b, seed); gossip {envelope: env} as kind `policy`.
 *   co-sign   s = bundleStatus(env, charterChain); env = addBundleSignature(env, seed);
 *             copies merge with mergeBundleSignatures; when s.complete, apply.
 *   apply     policyChain.accept(env, charterChain, Date.now()) → audit event → swap
 *             {global: compileRules(bundle.rules), local} in one assignment → signReceipt(...) and gossip.
 *   enforce   evaluate(ruleSet, 'decision', hookInput('decision', record, {org, jurisdiction}, now),
 *             {policyVersion, expired: policyChain.isExpired(now)}).
 *   restart   PolicyChain.fromEnvelopes(federationId, stored, charterChain) re-verifies everything.
 */

export {
  BASELINE_ENVELOPE_LIMITS,
  BASELINE_TYPE,
  baselineDigest,
  checkBaseline,
  checkBaselineShape,
  checkRiskTiers,
  DEFAULT_RISK_TIERS,
  decodeBaseline,
  decodeBaselineEnvelope,
  encodeBaseline,
  MAX_BASELINE_BYTES,
  POLICY_PAYLOAD_TYPE,
  type PolicyBaseline,
  type RiskTiers,
} from './baseline.ts';
export { BudgetExceeded, MAX_EVALUATION_COST, MAX_RULE_COST, MAX_RULE_SET_COST, NODE_STEPS } from './budget.ts';
export {
  MAX_POLICY_FORKS,
  MAX_SINCE,
  type PolicyAcceptResult,
  PolicyChain,
  type PolicyEntry,
  type PolicyFork,
} from './chain.ts';
export {
  type CompiledRule,
  type CostLimits,
  checkRuleSet,
  compileRule,
  compileRules,
  PolicyRuleError,
  type PolicyRuleErrorCode,
  type RuleProblem,
} from './compile.ts';
export { estimateCost } from './cost.ts';
export {
  evaluate,
  type Finding,
  type RuleOutcome,
  type RuleSet,
  runRule,
  type Scope,
  type Verdict,
} from './evaluate.ts';
export {
  type Activation,
  DecisionValue,
  decisionValue,
  environmentFor,
  HOOK_NAMES,
  HOOKS,
  type HookDeclaration,
  type HookExtra,
  type HookName,
  hookInput,
  isHookName,
  NodeValue,
  nodeValue,
  OBJECT_TYPES,
} from './hooks.ts';
export { checkLimits, MAX_AST_DEPTH, MAX_AST_NODES, MAX_COMPREHENSION_NESTING } from './limits.ts';
export { checkLocalPolicy, LOCAL_POLICY_TYPE, type LocalPolicy } from './local.ts';
export {
  checkReceipt,
  decodeReceipt,
  encodeReceipt,
  type PolicyReceipt,
  RECEIPT_ENVELOPE_LIMITS,
  RECEIPT_PAYLOAD_TYPE,
  RECEIPT_TYPE,
  receiptOf,
  signReceipt,
  verifyReceipt,
} from './receipt.ts';
export { compileRegex, MAX_PATTERN_CHARS, MAX_PROGRAM, MAX_REPEAT, RegexError, SafeRegex } from './regex.ts';
export { type DecisionModel, REGISTRY_OBJECT_TYPES, UNKNOWN_MODEL } from './registry-values.ts';
export {
  checkRule,
  checkRules,
  type Effect,
  MAX_EXPRESSION_CHARS,
  MAX_MESSAGE_CHARS,
  MAX_RULES,
  RULE_ID_PATTERN,
  type Rule,
} from './rule.ts';
export {
  addBundleSignature,
  type BundleStatus,
  bundleStatus,
  mergeBundleSignatures,
  signBaseline,
} from './signing.ts';
export {
  checkPolicySyncMessage,
  decodePolicySyncMessage,
  encodePolicySyncMessage,
  type GetPoliciesMessage,
  type GetReceiptsMessage,
  MAX_PENDING_DIGESTS,
  MAX_POLICY_SYNC_BYTES,
  MAX_SYNC_POLICIES,
  MAX_SYNC_RECEIPTS,
  POLICY_SYNC_PROTOCOL,
  type PoliciesMessage,
  type PolicyHelloMessage,
  type PolicyProposalMessage,
  type PolicySyncMessage,
  policyFromGossipBody,
  type ReceiptsMessage,
  receiptFromGossipBody,
} from './sync.ts';
