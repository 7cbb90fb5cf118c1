/**
 * A 20-rule `decision` baseline of the kind a federation would publish (EU AI Act-style bans, review
 * duties, revoked models, data-class limits), used by the policy benches. Every rule reads the decision
 * record, several its free-form `context`; one uses `matches()` (the linear-time matcher).
 */
import type { Rule } from '../protocol/policy/index.ts';

const deny = (id: string, expression: string, message: string): Rule => ({
  id,
  hook: 'decision',
  effect: 'deny',
  expression,
  message,
});
const warn = (id: string, expression: string, message: string): Rule => ({
  id,
  hook: 'decision',
  effect: 'warn',
  expression,
  message,
});

export const BASELINE_20: readonly Rule[] = [
  deny(
    'no-biometric-in-eu',
    "'biometric' in decision.dataClasses && decision.jurisdiction == 'EU'",
    'biometric data may not be processed in the EU',
  ),
  deny('revoked-models', "decision.model in ['face-match-v1', 'resume-ranker-v0']", 'this model version is revoked'),
  warn('input-digest-required', "decision.inputDigest == ''", 'decisions should commit to their input'),
  deny(
    'large-credit-needs-review',
    'has(decision.context.amount) && decision.context.amount > 1000000.0 && !has(decision.context.reviewer)',
    'credit decisions above 1M need a named human reviewer',
  ),
  deny(
    'health-data-only-in-us',
    "'health' in decision.dataClasses && !decision.jurisdiction.startsWith('US')",
    'health data is processed in US regions only',
  ),
  deny('no-children-data', "'children' in decision.dataClasses", "children's data may not be used for decisions"),
  deny(
    'us-ca-pii-needs-consent',
    "decision.jurisdiction == 'US-CA' && 'pii' in decision.dataClasses && !(has(decision.context.consent) && decision.context.consent == true)",
    'personal data in California needs recorded consent',
  ),
  warn('model-name-format', "!decision.model.matches('^[a-z0-9-]+-v[0-9]+$')", 'model names carry a version'),
  deny('sanctioned-jurisdictions', "decision.jurisdiction in ['KP', 'IR', 'SY']", 'sanctioned jurisdiction'),
  deny(
    'no-emotion-recognition-at-work',
    "decision.model.startsWith('emotion-') && has(decision.context.setting) && decision.context.setting == 'workplace'",
    'emotion recognition in the workplace is prohibited',
  ),
  deny('no-social-scoring', "decision.model.contains('social-score')", 'social scoring is prohibited'),
  warn('few-data-classes', 'size(decision.dataClasses) > 10', 'unusually many data classes'),
  warn(
    'cross-region',
    "node.jurisdiction == 'EU' && decision.jurisdiction == 'US'",
    'decision for another region logged here',
  ),
  deny(
    'no-biometric-categorisation',
    "'biometric' in decision.dataClasses && 'political' in decision.dataClasses",
    'biometric categorisation by political opinion is prohibited',
  ),
  warn(
    'credit-denial-needs-reason',
    "decision.model.startsWith('credit-') && decision.output == 'deny' && !has(decision.context.reason)",
    'credit denials should record a reason',
  ),
  deny(
    'known-branches',
    "has(decision.context.branch) && !(decision.context.branch in ['online', 'store', 'phone'])",
    'unknown sales branch',
  ),
  warn('decision-id-required', "decision.decisionId == ''", 'decisions should carry their own id'),
  deny(
    'sg-finance-needs-mas-approval',
    "decision.jurisdiction == 'SG' && 'financial' in decision.dataClasses && !has(decision.context.masApproval)",
    'financial models in Singapore need MAS approval on record',
  ),
  deny(
    'critical-infrastructure-eu',
    "'critical-infrastructure' in decision.dataClasses && decision.jurisdiction.startsWith('EU')",
    'high-risk use in critical infrastructure needs a conformity assessment',
  ),
  warn('output-present', 'decision.output == null', 'decisions should record their output'),
];
