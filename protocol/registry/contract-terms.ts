/**
 * The terms of a trust contract (docs/contracts.md "The contract file"): the machine-readable rules that
 * travel with a model version and that every node enforces wherever it runs — when it is deployed and on
 * every decision it makes (contract-check.ts).
 *
 *   {"allowedJurisdictions":["EU","US-CA"], "allowedPurposes":["fraud-screening"],
 *    "allowedDataClasses":["transaction"], "forbiddenDataClasses":["biometric"], "maxRiskTier":"high",
 *    "oversight":{"humanInLoop":true,"forDecisionTypes":["block"]},
 *    "requiredMonitors":[{"metric":"psi","field":"output.score","threshold":0.25,"window":{"decisions":1000},
 *                         "onBreach":"flag"}],
 *    "logRetentionDays":3650, "maxRevocationStaleness":60, "notAfter":"2027-12-31T00:00:00Z"}
 *
 * Every field is optional but at least one is given. Unknown fields are refused (ERR_INVALID_CONTRACT,
 * naming the field): a node must never ignore a condition it does not know. The file is
 * attacker-controlled when it arrives inside a signed statement from a member, so every list and string
 * is bounded.
 */
import { isJurisdiction, isLabel, isPlainObject, isRfc3339Utc, isText } from '../audit/fields.ts';
import { GovfedError } from '../errors.ts';
import { isRiskTier, RISK_TIERS, type RiskTier } from '../federation/approval-rules.ts';
import { compileRule } from '../policy/compile.ts';

/** Most entries in one list of the terms. */
export const MAX_CONTRACT_LIST = 64;
export const MAX_REQUIRED_MONITORS = 32;
/** Bounds of the numeric terms. */
export const MAX_LOG_RETENTION_DAYS = 36_500;
export const MAX_REVOCATION_STALENESS_S = 30 * 24 * 3600;
export const MAX_MONITOR_WINDOW_DECISIONS = 10_000_000;
export const MAX_MONITOR_WINDOW_SECONDS = 366 * 24 * 3600;
export const MAX_POSITIVE_CHARS = 1024;

/** The metrics a monitor may name (the monitoring issue computes them; docs/contracts.md lists them). */
export const MONITOR_METRICS = [
  'psi',
  'ks',
  'demographic_parity_difference',
  'disparate_impact_ratio',
  'shadow_ai_rate',
  'denial_rate',
  'contract_violation_rate',
] as const;
export type MonitorMetric = (typeof MONITOR_METRICS)[number];
/** Metrics over a numeric field of the decisions, and over a group field with a positive outcome. */
const FIELD_METRICS: readonly string[] = ['psi', 'ks'];
const GROUP_METRICS: readonly string[] = ['demographic_parity_difference', 'disparate_impact_ratio'];

/**
 * The thresholds a monitor may leave out, by convention (docs/monitoring.md): psi 0.25 (a significant
 * shift), disparate_impact_ratio 0.8 (the four-fifths rule). A contract's terms as checked always carry
 * the threshold, so every node judges with the same number.
 */
export const DEFAULT_MONITOR_THRESHOLDS: Partial<Record<MonitorMetric, number>> = {
  psi: 0.25,
  disparate_impact_ratio: 0.8,
};

/** A decision field a monitor reads: `output.<path>` or `context.<path>` (1–8 names after the root). */
export const MONITOR_FIELD_PATTERN = '^(output|context)(\\.[A-Za-z0-9_]{1,64}){1,8}$';
const MONITOR_FIELD_RE = new RegExp(MONITOR_FIELD_PATTERN);

export interface RequiredMonitor {
  metric: MonitorMetric;
  field?: string;
  groupField?: string;
  /** A CEL expression over the decision that says whether its outcome is positive (group metrics). */
  positive?: string;
  threshold: number;
  window: { decisions: number } | { seconds: number };
  onBreach: 'flag' | 'suspend';
}

export interface ContractTerms {
  allowedJurisdictions?: string[];
  allowedPurposes?: string[];
  allowedDataClasses?: string[];
  forbiddenDataClasses?: string[];
  maxRiskTier?: RiskTier;
  oversight?: { humanInLoop: boolean; forDecisionTypes?: string[] };
  requiredMonitors?: RequiredMonitor[];
  logRetentionDays?: number;
  /** Seconds. */
  maxRevocationStaleness?: number;
  /** RFC 3339 UTC: the contract, and so the model version under it, may not run after this. */
  notAfter?: string;
}

const TERMS = [
  'allowedJurisdictions',
  'allowedPurposes',
  'allowedDataClasses',
  'forbiddenDataClasses',
  'maxRiskTier',
  'oversight',
  'requiredMonitors',
  'logRetentionDays',
  'maxRevocationStaleness',
  'notAfter',
];

function bad(message: string): GovfedError {
  return new GovfedError('ERR_INVALID_CONTRACT', `contract: ${message}`);
}

function only(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) {
      throw bad(`${where}unknown field "${k}" (a node never ignores a condition it does not know)`);
    }
  }
}

function list(v: unknown, where: string, ok: (x: unknown) => boolean, what: string): string[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_CONTRACT_LIST) {
    throw bad(`${where}: expected 1..${MAX_CONTRACT_LIST} ${what}`);
  }
  const seen = new Set<string>();
  for (const [i, x] of v.entries()) {
    if (!ok(x)) throw bad(`${where}[${i}]: expected ${what}`);
    if (seen.has(x as string)) throw bad(`${where}[${i}]: "${x}" is listed twice`);
    seen.add(x as string);
  }
  return [...(v as string[])];
}

function int(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw bad(`${where}: expected an integer ${min}..${max}`);
  }
  return v;
}

function checkMonitor(v: unknown, i: number): RequiredMonitor {
  const where = `requiredMonitors[${i}]`;
  if (!isPlainObject(v)) throw bad(`${where}: expected an object`);
  only(v, ['metric', 'field', 'groupField', 'positive', 'threshold', 'window', 'onBreach'], `${where}: `);
  if (typeof v.metric !== 'string' || !(MONITOR_METRICS as readonly string[]).includes(v.metric)) {
    throw bad(`${where}.metric: expected one of ${MONITOR_METRICS.join(', ')}`);
  }
  const m: RequiredMonitor = {
    metric: v.metric as MonitorMetric,
    threshold: 0,
    window: { decisions: 1 },
    onBreach: 'flag',
  };
  for (const k of ['field', 'groupField'] as const) {
    if (k in v) {
      if (typeof v[k] !== 'string' || !MONITOR_FIELD_RE.test(v[k] as string)) {
        throw bad(`${where}.${k}: expected a decision field like output.score or context.group`);
      }
      m[k] = v[k] as string;
    }
  }
  if ('positive' in v) {
    if (!isText(v.positive, MAX_POSITIVE_CHARS)) {
      throw bad(`${where}.positive: expected a CEL expression of 1..${MAX_POSITIVE_CHARS} characters`);
    }
    checkPositive(v.positive, `${where}.positive`);
    m.positive = v.positive;
  }
  if (FIELD_METRICS.includes(m.metric) && m.field === undefined) throw bad(`${where}: ${m.metric} needs "field"`);
  if (GROUP_METRICS.includes(m.metric) && (m.groupField === undefined || m.positive === undefined)) {
    throw bad(`${where}: ${m.metric} needs "groupField" and "positive"`);
  }
  const threshold = 'threshold' in v ? v.threshold : DEFAULT_MONITOR_THRESHOLDS[m.metric];
  if (threshold === undefined) throw bad(`${where}: ${m.metric} needs "threshold"`);
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || Math.abs(threshold) > 1e9) {
    throw bad(`${where}.threshold: expected a finite number`);
  }
  m.threshold = threshold;
  const w = v.window;
  if (!isPlainObject(w) || Object.keys(w).length !== 1) {
    throw bad(`${where}.window: expected {"decisions": N} or {"seconds": N}`);
  }
  if ('decisions' in w)
    m.window = { decisions: int(w.decisions, `${where}.window.decisions`, 1, MAX_MONITOR_WINDOW_DECISIONS) };
  else if ('seconds' in w)
    m.window = { seconds: int(w.seconds, `${where}.window.seconds`, 1, MAX_MONITOR_WINDOW_SECONDS) };
  else throw bad(`${where}.window: expected {"decisions": N} or {"seconds": N}`);
  if (v.onBreach !== 'flag' && v.onBreach !== 'suspend') throw bad(`${where}.onBreach: expected "flag" or "suspend"`);
  m.onBreach = v.onBreach;
  return m;
}

/** A positive-outcome expression must compile as a CEL rule of the `decision` hook (as policy rules do). */
function checkPositive(expression: string, where: string): void {
  try {
    compileRule({ id: 'positive', hook: 'decision', effect: 'deny', expression, message: 'positive outcome' });
  } catch (err) {
    throw bad(`${where}: ${err instanceof Error ? err.message.replace(/^rule "positive": /, '') : String(err)}`);
  }
}

/**
 * Checks contract terms (a user's file, or a member's signed statement): strict fields, bounds, at least
 * one condition, no data class both allowed and forbidden. Returns a fresh copy; throws ERR_INVALID_CONTRACT.
 */
export function checkContractTerms(v: unknown): ContractTerms {
  if (!isPlainObject(v)) throw bad('expected a JSON object');
  only(v, TERMS, '');
  if (Object.keys(v).length === 0) throw bad(`expected at least one condition (${TERMS.join(', ')})`);
  const t: ContractTerms = {};
  if ('allowedJurisdictions' in v) {
    t.allowedJurisdictions = list(
      v.allowedJurisdictions,
      'allowedJurisdictions',
      isJurisdiction,
      'jurisdiction codes like EU or US-CA',
    );
  }
  if ('allowedPurposes' in v) t.allowedPurposes = list(v.allowedPurposes, 'allowedPurposes', isLabel, 'purpose labels');
  if ('allowedDataClasses' in v) {
    t.allowedDataClasses = list(v.allowedDataClasses, 'allowedDataClasses', isLabel, 'data class labels');
  }
  if ('forbiddenDataClasses' in v) {
    t.forbiddenDataClasses = list(v.forbiddenDataClasses, 'forbiddenDataClasses', isLabel, 'data class labels');
  }
  const both = t.forbiddenDataClasses?.find((c) => t.allowedDataClasses?.includes(c));
  if (both !== undefined) throw bad(`data class "${both}" is both allowed and forbidden`);
  if ('maxRiskTier' in v) {
    if (!isRiskTier(v.maxRiskTier)) throw bad(`maxRiskTier: expected one of ${RISK_TIERS.join(', ')}`);
    t.maxRiskTier = v.maxRiskTier;
  }
  if ('oversight' in v) {
    const o = v.oversight;
    if (!isPlainObject(o)) throw bad('oversight: expected {humanInLoop, forDecisionTypes?}');
    only(o, ['humanInLoop', 'forDecisionTypes'], 'oversight: ');
    if (typeof o.humanInLoop !== 'boolean') throw bad('oversight.humanInLoop: expected true or false');
    t.oversight = { humanInLoop: o.humanInLoop };
    if ('forDecisionTypes' in o) {
      t.oversight.forDecisionTypes = list(
        o.forDecisionTypes,
        'oversight.forDecisionTypes',
        isLabel,
        'decision type labels',
      );
    }
  }
  if ('requiredMonitors' in v) {
    const ms = v.requiredMonitors;
    if (!Array.isArray(ms) || ms.length > MAX_REQUIRED_MONITORS) {
      throw bad(`requiredMonitors: expected at most ${MAX_REQUIRED_MONITORS} monitors`);
    }
    t.requiredMonitors = ms.map(checkMonitor);
  }
  if ('logRetentionDays' in v)
    t.logRetentionDays = int(v.logRetentionDays, 'logRetentionDays', 1, MAX_LOG_RETENTION_DAYS);
  if ('maxRevocationStaleness' in v) {
    t.maxRevocationStaleness = int(v.maxRevocationStaleness, 'maxRevocationStaleness', 1, MAX_REVOCATION_STALENESS_S);
  }
  if ('notAfter' in v) {
    if (!isRfc3339Utc(v.notAfter)) throw bad('notAfter: expected an RFC 3339 UTC time');
    t.notAfter = v.notAfter;
  }
  return t;
}

/** Tier order, lowest first: `low` < `medium` < `high` < `serious`. */
export function tierRank(t: RiskTier): number {
  return RISK_TIERS.length - 1 - RISK_TIERS.indexOf(t);
}
