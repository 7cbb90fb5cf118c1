/**
 * The CEL values of the model registry's hooks (hooks.ts declares the hooks; docs/policy.md lists them):
 *
 *   register  card (CardValue), model (RegisteredModelValue), risk (RiskValue: what the score rules gave;
 *             score rules themselves do not see it), node
 *   approve   approval (ApprovalValue), model (ApprovalModelValue: + status, tier, score), card, node
 *   decision  model (DecisionModelValue): the registry's answer for `decision.model`, beside `decision`
 *   deploy    model (ApprovalModelValue: + status, tier, score), card, deployment (DeploymentValue: shadow,
 *             and the deploying org and its jurisdiction), node
 *
 * A registration without a model card reads as an empty card (`card.present == false`, every string "",
 * every list empty, `useSensitivePersonalInformation` false), so a rule can score or deny a missing card.
 * Scores are CEL `int` (BigInt here: cel-js needs it for `int`).
 *
 * Inputs from POST /v1/evaluate are attacker-controlled: the *Input functions check them (the card with
 * the registry's own strict checker) and throw ERR_INVALID_INPUT naming the field.
 */
import { isPlainObject } from '../audit/fields.ts';
import { GovfedError } from '../errors.ts';
import { checkModelCard, type ModelCard } from '../registry/card.ts';
import { SIZED_CLASSES } from './budget.ts';

export class DatasetValue {
  readonly name: string;
  readonly url: string;
  readonly license: string;
  constructor(d: { name: string; url?: string; license?: string }) {
    this.name = d.name;
    this.url = d.url ?? '';
    this.license = d.license ?? '';
  }
}

export class CardValue {
  readonly present: boolean;
  readonly intendedUse: string;
  readonly limitations: string;
  readonly license: string;
  readonly baseModel: string;
  readonly datasets: readonly DatasetValue[];
  readonly domain: string;
  readonly autonomyType: string;
  readonly useSensitivePersonalInformation: boolean;
  readonly jurisdictions: readonly string[];
  readonly euAiActCategory: string;
  readonly annexIIIArea: string;
  constructor(c: ModelCard | undefined) {
    this.present = c !== undefined;
    this.intendedUse = c?.intendedUse ?? '';
    this.limitations = c?.limitations ?? '';
    this.license = c?.license ?? '';
    this.baseModel = c?.baseModel ?? '';
    this.datasets = (c?.datasets ?? []).map((d) => new DatasetValue(d));
    this.domain = c?.domain ?? '';
    this.autonomyType = c?.autonomyType ?? '';
    this.useSensitivePersonalInformation = c?.useSensitivePersonalInformation ?? false;
    this.jurisdictions = c?.jurisdictions ?? [];
    this.euAiActCategory = c?.euAiActCategory ?? '';
    this.annexIIIArea = c?.annexIIIArea ?? '';
  }
}

export interface RegisteredModel {
  org: string;
  name: string;
  version: string;
  digest: string;
  assurance: string;
}

export class RegisteredModelValue {
  readonly org: string;
  readonly name: string;
  readonly version: string;
  readonly digest: string;
  readonly assurance: string;
  constructor(m: RegisteredModel) {
    this.org = m.org;
    this.name = m.name;
    this.version = m.version;
    this.digest = m.digest;
    this.assurance = m.assurance;
  }
}

export class ApprovalModelValue extends RegisteredModelValue {
  readonly status: string;
  readonly tier: string;
  readonly score: bigint;
  constructor(m: RegisteredModel & { status: string; tier: string; score: number }) {
    super(m);
    this.status = m.status;
    this.tier = m.tier;
    this.score = BigInt(m.score);
  }
}

export class RiskValue {
  readonly score: bigint;
  readonly tier: string;
  constructor(r: { score: number; tier: string }) {
    this.score = BigInt(r.score);
    this.tier = r.tier;
  }
}

export class ApprovalValue {
  readonly decision: string;
  readonly role: string;
  readonly org: string;
  readonly name: string;
  constructor(a: { decision: string; role: string; org: string; name: string }) {
    this.decision = a.decision;
    this.role = a.role;
    this.org = a.org;
    this.name = a.name;
  }
}

/** The `deployment` of the `deploy` hook: how and where the version is to run. */
export class DeploymentValue {
  readonly shadow: boolean;
  readonly org: string;
  readonly jurisdiction: string;
  constructor(d: { shadow: boolean; org: string; jurisdiction: string }) {
    this.shadow = d.shadow;
    this.org = d.org;
    this.jurisdiction = d.jurisdiction;
  }
}

/** What a decision's `model` resolved to in the registry (node/registry ModelBook.resolve). */
export interface DecisionModel {
  known: boolean;
  org: string;
  name: string;
  version: string;
  digest: string;
  status: string;
  tier: string;
}

export class DecisionModelValue {
  readonly known: boolean;
  readonly org: string;
  readonly name: string;
  readonly version: string;
  readonly digest: string;
  readonly status: string;
  readonly tier: string;
  constructor(m: DecisionModel) {
    this.known = m.known;
    this.org = m.org;
    this.name = m.name;
    this.version = m.version;
    this.digest = m.digest;
    this.status = m.status;
    this.tier = m.tier;
  }
}

/** A decision whose caller resolved no model (a node without a registry, POST /v1/evaluate). */
export const UNKNOWN_MODEL = new DecisionModelValue({
  known: false,
  org: '',
  name: '',
  version: '',
  digest: '',
  status: 'unknown',
  tier: '',
});

SIZED_CLASSES.add(DatasetValue)
  .add(CardValue)
  .add(RegisteredModelValue)
  .add(ApprovalModelValue)
  .add(RiskValue)
  .add(ApprovalValue)
  .add(DeploymentValue)
  .add(DecisionModelValue);

/** CEL object types of the registry hooks: name → constructor and typed fields. */
export const REGISTRY_OBJECT_TYPES = {
  Dataset: { ctor: DatasetValue, fields: { name: 'string', url: 'string', license: 'string' } },
  Card: {
    ctor: CardValue,
    fields: {
      present: 'bool',
      intendedUse: 'string',
      limitations: 'string',
      license: 'string',
      baseModel: 'string',
      datasets: 'list<Dataset>',
      domain: 'string',
      autonomyType: 'string',
      useSensitivePersonalInformation: 'bool',
      jurisdictions: 'list<string>',
      euAiActCategory: 'string',
      annexIIIArea: 'string',
    },
  },
  RegisteredModel: {
    ctor: RegisteredModelValue,
    fields: { org: 'string', name: 'string', version: 'string', digest: 'string', assurance: 'string' },
  },
  ApprovalModel: {
    ctor: ApprovalModelValue,
    fields: {
      org: 'string',
      name: 'string',
      version: 'string',
      digest: 'string',
      assurance: 'string',
      status: 'string',
      tier: 'string',
      score: 'int',
    },
  },
  Risk: { ctor: RiskValue, fields: { score: 'int', tier: 'string' } },
  Approval: { ctor: ApprovalValue, fields: { decision: 'string', role: 'string', org: 'string', name: 'string' } },
  Deployment: { ctor: DeploymentValue, fields: { shadow: 'bool', org: 'string', jurisdiction: 'string' } },
  DecisionModel: {
    ctor: DecisionModelValue,
    fields: {
      known: 'bool',
      org: 'string',
      name: 'string',
      version: 'string',
      digest: 'string',
      status: 'string',
      tier: 'string',
    },
  },
} as const;

// ---- inputs (POST /v1/evaluate; the registry builds the values itself) ----

function bad(message: string): GovfedError {
  return new GovfedError('ERR_INVALID_INPUT', message);
}

function text(v: unknown, where: string, max = 256): string {
  if (typeof v !== 'string' || v.length > max) throw bad(`${where}: expected a string of at most ${max} characters`);
  return v;
}

function cardOf(v: unknown): CardValue {
  return v === undefined ? new CardValue(undefined) : new CardValue(checkModelCard(v));
}

function modelOf(v: unknown, where: string): RegisteredModel {
  if (!isPlainObject(v)) throw bad(`${where}: expected {org, name, version, digest, assurance}`);
  return {
    org: text(v.org, `${where}.org`),
    name: text(v.name, `${where}.name`),
    version: text(v.version, `${where}.version`),
    digest: text(v.digest ?? '', `${where}.digest`),
    assurance: text(v.assurance ?? '', `${where}.assurance`),
  };
}

function scoreOf(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(`${where}: expected an integer`);
  return v;
}

/** `register`: {card?, model, risk?} → its variables. */
export function registerInput(raw: unknown): Record<string, unknown> {
  if (raw instanceof RegisterActivation) return { card: raw.card, model: raw.model, risk: raw.risk };
  if (!isPlainObject(raw)) throw bad('register input: expected {card?, model, risk?}');
  const risk = isPlainObject(raw.risk)
    ? new RiskValue({ score: scoreOf(raw.risk.score, 'risk.score'), tier: text(raw.risk.tier, 'risk.tier', 16) })
    : new RiskValue({ score: 0, tier: 'low' });
  return { card: cardOf(raw.card), model: new RegisteredModelValue(modelOf(raw.model, 'model')), risk };
}

/** `approve`: {approval, model, card?} → its variables. */
export function approveInput(raw: unknown): Record<string, unknown> {
  if (raw instanceof ApproveActivation) return { approval: raw.approval, model: raw.model, card: raw.card };
  if (!isPlainObject(raw) || !isPlainObject(raw.approval))
    throw bad('approve input: expected {approval, model, card?}');
  const a = raw.approval;
  const m = raw.model;
  const base = modelOf(m, 'model');
  const mm = m as Record<string, unknown>;
  return {
    approval: new ApprovalValue({
      decision: text(a.decision, 'approval.decision', 16),
      role: text(a.role, 'approval.role', 32),
      org: text(a.org, 'approval.org', 64),
      name: text(a.name, 'approval.name', 128),
    }),
    model: new ApprovalModelValue({
      ...base,
      status: text(mm.status ?? '', 'model.status', 16),
      tier: text(mm.tier ?? '', 'model.tier', 16),
      score: scoreOf(mm.score ?? 0, 'model.score'),
    }),
    card: cardOf(raw.card),
  };
}

/** `deploy`: {model, card?, deployment: {shadow, org, jurisdiction}} → its variables. */
export function deployInput(raw: unknown): Record<string, unknown> {
  if (raw instanceof DeployActivation) return { model: raw.model, card: raw.card, deployment: raw.deployment };
  if (!isPlainObject(raw) || !isPlainObject(raw.deployment))
    throw bad('deploy input: expected {model, card?, deployment}');
  const m = raw.model;
  const base = modelOf(m, 'model');
  const mm = m as Record<string, unknown>;
  const d = raw.deployment;
  if (typeof d.shadow !== 'boolean') throw bad('deployment.shadow: expected true or false');
  return {
    model: new ApprovalModelValue({
      ...base,
      status: text(mm.status ?? '', 'model.status', 16),
      tier: text(mm.tier ?? '', 'model.tier', 16),
      score: scoreOf(mm.score ?? 0, 'model.score'),
    }),
    card: cardOf(raw.card),
    deployment: new DeploymentValue({
      shadow: d.shadow,
      org: text(d.org ?? '', 'deployment.org', 64),
      jurisdiction: text(d.jurisdiction ?? '', 'deployment.jurisdiction', 16),
    }),
  };
}

/** The registry's own, already checked `deploy` input. */
export class DeployActivation {
  readonly model: ApprovalModelValue;
  readonly card: CardValue;
  readonly deployment: DeploymentValue;
  constructor(
    model: RegisteredModel & { status: string; tier: string; score: number },
    card: ModelCard | undefined,
    deployment: { shadow: boolean; org: string; jurisdiction: string },
  ) {
    this.model = new ApprovalModelValue(model);
    this.card = new CardValue(card);
    this.deployment = new DeploymentValue(deployment);
  }
}

/** The registry's own, already checked `register` input (protocol/registry/risk.ts builds it). */
export class RegisterActivation {
  readonly card: CardValue;
  readonly model: RegisteredModelValue;
  readonly risk: RiskValue;
  constructor(card: ModelCard | undefined, model: RegisteredModel, risk: { score: number; tier: string }) {
    this.card = new CardValue(card);
    this.model = new RegisteredModelValue(model);
    this.risk = new RiskValue(risk);
  }
}

/** The registry's own, already checked `approve` input. */
export class ApproveActivation {
  readonly approval: ApprovalValue;
  readonly model: ApprovalModelValue;
  readonly card: CardValue;
  constructor(
    approval: { decision: string; role: string; org: string; name: string },
    model: RegisteredModel & { status: string; tier: string; score: number },
    card: ModelCard | undefined,
  ) {
    this.approval = new ApprovalValue(approval);
    this.model = new ApprovalModelValue(model);
    this.card = new CardValue(card);
  }
}
