/**
 * The model card: what a registration says a model version is for, what it is built on and how the EU AI
 * Act classes it (docs/registry.md "Model cards"). JSON, strictly checked: unknown fields are refused,
 * every string and list is bounded, enums are closed. Risk rules (protocol/policy, hook `register`) read
 * it, so its shape is part of what every member recomputes a risk score from.
 *
 *   required: intendedUse, license, autonomyType, useSensitivePersonalInformation, euAiActCategory
 *   optional: limitations, baseModel, datasets, domain, jurisdictions, annexIIIArea
 *   annexIIIArea: only with euAiActCategory "high", and then required when the high risk comes from
 *   Annex III (an Annex I product may leave it out).
 *
 * `assertRegistrable` refuses a prohibited practice (EU AI Act Art. 5) at registration.
 */
import { isJurisdiction, isPlainObject, isText } from '../audit/fields.ts';
import { GovfedError } from '../errors.ts';

export const AUTONOMY_TYPES = ['human-in-the-loop', 'human-on-the-loop', 'autonomous'] as const;
export const EU_AI_ACT_CATEGORIES = ['prohibited', 'high', 'limited', 'minimal', 'gpai', 'gpai-systemic'] as const;
/** EU AI Act Annex III, points 1–8. */
export const ANNEX_III_AREAS = [
  'biometrics',
  'critical_infrastructure',
  'education',
  'employment',
  'essential_services',
  'law_enforcement',
  'migration',
  'justice_democracy',
] as const;

export type AutonomyType = (typeof AUTONOMY_TYPES)[number];
export type EuAiActCategory = (typeof EU_AI_ACT_CATEGORIES)[number];
export type AnnexIIIArea = (typeof ANNEX_III_AREAS)[number];

export interface Dataset {
  name: string;
  /** https URL, optional. */
  url?: string;
  license?: string;
}

export interface ModelCard {
  intendedUse: string;
  limitations?: string;
  license: string;
  baseModel?: string;
  datasets?: Dataset[];
  domain?: string;
  autonomyType: AutonomyType;
  useSensitivePersonalInformation: boolean;
  jurisdictions?: string[];
  euAiActCategory: EuAiActCategory;
  annexIIIArea?: AnnexIIIArea;
}

export const CARD_LIMITS = {
  intendedUse: 2000,
  limitations: 2000,
  license: 128,
  baseModel: 256,
  domain: 128,
  datasets: 64,
  datasetName: 256,
  url: 2048,
  jurisdictions: 64,
} as const;

const REQUIRED = ['intendedUse', 'license', 'autonomyType', 'useSensitivePersonalInformation', 'euAiActCategory'];
const OPTIONAL = ['limitations', 'baseModel', 'datasets', 'domain', 'jurisdictions', 'annexIIIArea'];
const HTTPS_URL = /^https:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*)?$/;

function invalid(field: string, message: string): GovfedError {
  return new GovfedError('ERR_INVALID_MODEL_CARD', `model card: ${field}: ${message}`);
}

/** Prose fields may hold line breaks; every other control character is refused. */
const PROSE = new Set(['intendedUse', 'limitations']);

function text(v: Record<string, unknown>, field: keyof typeof CARD_LIMITS): string {
  const s = v[field];
  const max = CARD_LIMITS[field];
  const plain = typeof s === 'string' && PROSE.has(field) ? s.replace(/\r?\n/g, ' ') : s;
  if (!isText(plain, max) || typeof s !== 'string' || s.length > max) {
    throw invalid(field, `expected 1..${max} printable characters${PROSE.has(field) ? ' (line breaks allowed)' : ''}`);
  }
  return s;
}

function oneOf<T extends string>(v: unknown, values: readonly T[], field: string): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v))
    throw invalid(field, `expected one of ${values.join(', ')}`);
  return v as T;
}

function checkDataset(v: unknown, i: number): Dataset {
  const where = `datasets[${i}]`;
  if (!isPlainObject(v)) throw invalid(where, 'expected an object {name, url?, license?}');
  for (const k of Object.keys(v))
    if (!['name', 'url', 'license'].includes(k)) throw invalid(where, `unknown field "${k}"`);
  if (!isText(v.name, CARD_LIMITS.datasetName))
    throw invalid(`${where}.name`, `expected 1..${CARD_LIMITS.datasetName} printable characters`);
  const d: Dataset = { name: v.name };
  if ('url' in v) {
    if (typeof v.url !== 'string' || v.url.length > CARD_LIMITS.url || !HTTPS_URL.test(v.url)) {
      throw invalid(`${where}.url`, `expected an https URL of at most ${CARD_LIMITS.url} characters`);
    }
    d.url = v.url;
  }
  if ('license' in v) {
    if (!isText(v.license, CARD_LIMITS.license))
      throw invalid(`${where}.license`, `expected 1..${CARD_LIMITS.license} printable characters`);
    d.license = v.license;
  }
  return d;
}

/** Checks a model card (attacker-controlled) and returns a fresh copy. Throws ERR_INVALID_MODEL_CARD. */
export function checkModelCard(value: unknown): ModelCard {
  if (!isPlainObject(value)) throw invalid('card', 'expected a JSON object');
  for (const k of REQUIRED) if (!Object.hasOwn(value, k)) throw invalid(k, 'missing (required)');
  for (const k of Object.keys(value)) {
    if (!REQUIRED.includes(k) && !OPTIONAL.includes(k)) throw invalid(k, 'unknown field');
  }
  if (typeof value.useSensitivePersonalInformation !== 'boolean')
    throw invalid('useSensitivePersonalInformation', 'expected true or false');
  const card: ModelCard = {
    intendedUse: text(value, 'intendedUse'),
    license: text(value, 'license'),
    autonomyType: oneOf(value.autonomyType, AUTONOMY_TYPES, 'autonomyType'),
    useSensitivePersonalInformation: value.useSensitivePersonalInformation,
    euAiActCategory: oneOf(value.euAiActCategory, EU_AI_ACT_CATEGORIES, 'euAiActCategory'),
  };
  if ('limitations' in value) card.limitations = text(value, 'limitations');
  if ('baseModel' in value) card.baseModel = text(value, 'baseModel');
  if ('domain' in value) card.domain = text(value, 'domain');
  if ('datasets' in value) {
    const d = value.datasets;
    if (!Array.isArray(d) || d.length > CARD_LIMITS.datasets)
      throw invalid('datasets', `expected at most ${CARD_LIMITS.datasets} datasets`);
    card.datasets = d.map(checkDataset);
  }
  if ('jurisdictions' in value) {
    const j = value.jurisdictions;
    if (!Array.isArray(j) || j.length < 1 || j.length > CARD_LIMITS.jurisdictions) {
      throw invalid('jurisdictions', `expected 1..${CARD_LIMITS.jurisdictions} jurisdictions`);
    }
    for (const x of j)
      if (!isJurisdiction(x)) throw invalid('jurisdictions', `"${String(x)}" is not a jurisdiction (e.g. EU, US-CA)`);
    if (new Set(j).size !== j.length) throw invalid('jurisdictions', 'listed twice');
    card.jurisdictions = [...j] as string[];
  }
  if ('annexIIIArea' in value) {
    if (card.euAiActCategory !== 'high') throw invalid('annexIIIArea', 'only for euAiActCategory "high"');
    card.annexIIIArea = oneOf(value.annexIIIArea, ANNEX_III_AREAS, 'annexIIIArea');
  }
  return card;
}

/** Refuses a card that may not be registered: a prohibited AI practice. Throws ERR_MODEL_PROHIBITED. */
export function assertRegistrable(card: ModelCard): void {
  if (card.euAiActCategory === 'prohibited') {
    throw new GovfedError(
      'ERR_MODEL_PROHIBITED',
      'model card: euAiActCategory "prohibited" — a prohibited AI practice (EU AI Act Art. 5) cannot be registered',
    );
  }
}
