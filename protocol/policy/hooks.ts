/**
 * Hooks: the moments at which rules run, each with its typed CEL environment.
 *
 * A hook is one declaration in HOOKS: its variables (name → CEL type) and a function that turns the
 * caller's raw input into those variables. Every hook also gets `node` (the evaluating node: org,
 * jurisdiction). Object types (Decision, Node) are declared once in OBJECT_TYPES with their fields,
 * so a rule that names an unknown field or compares a string with a number is rejected at publish
 * time. Adding a hook (the registry's `register`, `approve`, `deploy`) = one entry in HOOKS (plus its
 * object type, if new).
 *
 * Values are passed as instances of small classes (not plain objects) so cel-js reads fields directly.
 * Numbers: CEL `int` needs BigInt in cel-js, so numbers inside `output` and `context` (JSON) are CEL
 * `double`s; `decision.context.score > 0.5` and `decision.context.count == 3` work as expected.
 */
import { Environment } from '@marcbachmann/cel-js';
import { CheckedDecision, checkDecisionInput, type DecisionInput } from '../audit/decision.ts';
import { isJurisdiction, isPlainObject, isText } from '../audit/fields.ts';
import { GovfedError } from '../errors.ts';
import { meter, SIZED_CLASSES } from './budget.ts';
import { regexFor } from './regex.ts';
import {
  approveInput,
  type DecisionModel,
  DecisionModelValue,
  deployInput,
  REGISTRY_OBJECT_TYPES,
  registerInput,
  UNKNOWN_MODEL,
} from './registry-values.ts';

/** The `node` variable of every hook. */
export class NodeValue {
  readonly org: string;
  readonly jurisdiction: string;
  constructor(org: string, jurisdiction: string) {
    this.org = org;
    this.jurisdiction = jurisdiction;
  }
}

/** The `decision` variable: a decision record (protocol/audit/decision.ts) with defaults filled. */
export class DecisionValue {
  readonly model: string;
  readonly decisionId: string;
  readonly timestamp: Date;
  readonly inputDigest: string;
  readonly output: unknown;
  readonly jurisdiction: string;
  readonly dataClasses: readonly string[];
  readonly context: Readonly<Record<string, unknown>>;
  constructor(v: {
    model: string;
    decisionId: string;
    timestamp: Date;
    inputDigest: string;
    output: unknown;
    jurisdiction: string;
    dataClasses: readonly string[];
    context: Readonly<Record<string, unknown>>;
  }) {
    this.model = v.model;
    this.decisionId = v.decisionId;
    this.timestamp = v.timestamp;
    this.inputDigest = v.inputDigest;
    this.output = v.output;
    this.jurisdiction = v.jurisdiction;
    this.dataClasses = v.dataClasses;
    this.context = v.context;
  }
}

SIZED_CLASSES.add(NodeValue).add(DecisionValue);

/** CEL object types: name → constructor and typed fields. */
export const OBJECT_TYPES = {
  ...REGISTRY_OBJECT_TYPES,
  Node: { ctor: NodeValue, fields: { org: 'string', jurisdiction: 'string' } },
  Decision: {
    ctor: DecisionValue,
    fields: {
      model: 'string',
      decisionId: 'string',
      timestamp: 'google.protobuf.Timestamp',
      inputDigest: 'string',
      output: 'dyn',
      jurisdiction: 'string',
      dataClasses: 'list<string>',
      context: 'map<string, dyn>',
    },
  },
} as const;

/** The variables of one evaluation (what the CEL expression sees). */
export type Activation = Readonly<Record<string, unknown>>;

/** What the caller knows besides the raw input: the registry's answer for a decision's model. */
export interface HookExtra {
  model?: DecisionModel;
}

export interface HookDeclaration {
  description: string;
  /** Variables besides `node`: name → CEL type (an OBJECT_TYPES name or a CEL type). */
  variables: Readonly<Record<string, string>>;
  /** Variables `score` rules do not see (what they compute). */
  notForScoring?: readonly string[];
  /** The variables from the caller's raw input (attacker-controlled); `node` is added by hookInput. */
  input(raw: unknown, node: NodeValue, now: number | undefined, extra?: HookExtra): Record<string, unknown>;
}

function badRecord(message: string): GovfedError<string> {
  return new GovfedError('ERR_INVALID_RECORD', `decision.${message}`);
}

/**
 * A decision input or record (attacker-controlled: POST /v1/decisions, POST /v1/evaluate) as the
 * `decision` variable. The field rules are protocol/audit/decision.ts's (checkDecisionInput), with two
 * differences: `nonce` (of a sealed record) is allowed and ignored, and `output` may be absent (a model
 * server asking before it acts) and is then null.
 */
export function decisionValue(raw: unknown, node: NodeValue, now?: number): DecisionValue {
  let v: DecisionInput;
  if (raw instanceof CheckedDecision) {
    v = raw; // checked once by the caller (a record's rules are stricter than the hook's)
  } else {
    if (!isPlainObject(raw)) throw badRecord(': expected a JSON object');
    const { nonce: _nonce, ...input } = raw;
    v = checkDecisionInput('output' in input ? input : { ...input, output: null });
  }
  return new DecisionValue({
    model: v.model,
    decisionId: (v.decisionId as string | undefined) ?? '',
    // A record always has a timestamp; an input without one is "now" (or the epoch when no clock is given).
    timestamp: new Date(v.timestamp !== undefined ? (v.timestamp as string) : (now ?? 0)),
    inputDigest: (v.inputDigest as string | undefined) ?? '',
    output: v.output ?? null,
    jurisdiction: (v.jurisdiction as string | undefined) ?? node.jurisdiction,
    dataClasses: (v.dataClasses as string[] | undefined) ?? [],
    context: (v.context as Record<string, unknown> | undefined) ?? {},
  });
}

/** Every hook, one declaration each. */
export const HOOKS = {
  decision: {
    description:
      'Every model decision, before it is logged; `decision` is the decision record, `model` what the ' +
      'model registry knows of `decision.model` (known, org, name, version, digest, status, tier).',
    variables: { decision: 'Decision', model: 'DecisionModel' },
    input: (raw: unknown, node: NodeValue, now: number | undefined, extra?: HookExtra) => ({
      decision: decisionValue(raw, node, now),
      model: extra?.model === undefined ? UNKNOWN_MODEL : new DecisionModelValue(extra.model),
    }),
  },
  register: {
    description:
      'A model version registration: `score` rules add their points to its risk score; `deny` and `warn` ' +
      'rules then see the `risk` ({score, tier}) as well as the `card` and the `model`.',
    variables: { card: 'Card', model: 'RegisteredModel', risk: 'Risk' },
    notForScoring: ['risk'],
    input: (raw: unknown) => registerInput(raw),
  },
  approve: {
    description: 'An approval or rejection of a model version, by a person (`approval`) of a member org.',
    variables: { approval: 'Approval', model: 'ApprovalModel', card: 'Card' },
    input: (raw: unknown) => approveInput(raw),
  },
  deploy: {
    description:
      'A deployment of a model version on a node (`govfed model deploy`): `deployment` says where ' +
      '(org, jurisdiction) and whether in shadow mode; a `deny` rule refuses it.',
    variables: { model: 'ApprovalModel', card: 'Card', deployment: 'Deployment' },
    input: (raw: unknown) => deployInput(raw),
  },
} as const satisfies Record<string, HookDeclaration>;

export type HookName = keyof typeof HOOKS;
export const HOOK_NAMES = Object.keys(HOOKS) as HookName[];

export function isHookName(v: unknown): v is HookName {
  return typeof v === 'string' && Object.hasOwn(HOOKS, v);
}

/**
 * The CEL function rules' `matches` calls are rewritten to (compile.ts): a linear-time regex (regex.ts).
 * Same length as `matches`, so positions in messages stay those of the rule's own text.
 */
export const SAFE_MATCH_FUNCTION = '__match';

/** Structural caps cel-js enforces while parsing (limits.ts checks tighter ones after). */
const PARSER_LIMITS = {
  maxAstNodes: 1024,
  maxDepth: 64,
  maxListElements: 256,
  maxMapEntries: 256,
  maxCallArguments: 8,
};

const environments = new Map<string, Environment>();

/** `text.matches(pattern)`: charges the matcher's most work (budget.ts) before it runs. */
function safeMatch(text: string, pattern: string): boolean {
  const re = regexFor(pattern);
  meter.charge((text.length + 1) * re.size);
  return re.test(text);
}

/** The typed CEL environment of a hook (built once); `scoring`: of its `score` rules. */
export function environmentFor(hook: HookName, scoring = false): Environment {
  const key = scoring ? `${hook}:score` : hook;
  let env = environments.get(key);
  if (env !== undefined) return env;
  env = new Environment({ limits: PARSER_LIMITS });
  for (const [name, t] of Object.entries(OBJECT_TYPES)) env.registerType(name, { ctor: t.ctor, fields: t.fields });
  env.registerVariable('node', 'Node');
  const decl: HookDeclaration = HOOKS[hook];
  for (const [name, type] of Object.entries(decl.variables)) {
    if (!(scoring && decl.notForScoring?.includes(name))) env.registerVariable(name, type);
  }
  env.registerFunction(`string.${SAFE_MATCH_FUNCTION}(string): bool`, safeMatch);
  environments.set(key, env);
  return env;
}

/** The evaluating node (from the node's config), as the `node` variable. */
export function nodeValue(node: { org: string; jurisdiction: string } | NodeValue): NodeValue {
  if (node instanceof NodeValue) return node;
  const v: unknown = node;
  if (!isPlainObject(v) || !isText(v.org, 64) || !isJurisdiction(v.jurisdiction)) {
    throw new GovfedError('ERR_INVALID_INPUT', 'node: expected {org, jurisdiction} with a jurisdiction code');
  }
  return new NodeValue(v.org, v.jurisdiction);
}

/**
 * The activation for one evaluation of `hook`: the hook's variables from `raw` (attacker-controlled),
 * defaults filled, plus `node`. Build it once per event and pass it to evaluate() for every rule.
 * `now` (ms since the epoch) is the decision time when the input has no timestamp.
 */
export function hookInput(
  hook: HookName,
  raw: unknown,
  node: { org: string; jurisdiction: string },
  now?: number,
  extra?: HookExtra,
): Activation {
  if (!isHookName(hook)) throw new GovfedError('ERR_INVALID_INPUT', `unknown hook ${JSON.stringify(hook)}`);
  const n = nodeValue(node);
  return { ...HOOKS[hook].input(raw, n, now, extra), node: n };
}
