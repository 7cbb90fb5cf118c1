/**
 * The difference between two baseline versions, as the policy page shows it: rules matched by id —
 * added, removed, changed (each changed field, with a word diff of its text from jsdiff) and unchanged.
 * Pure: the rules come from GET /v1/policy/versions/:version.
 */
import { type Change, diffWords } from 'diff';

export interface PolicyRule {
  id: string;
  hook: string;
  effect: string;
  expression: string;
  message?: string;
  [field: string]: unknown;
}

export interface FieldChange {
  field: string;
  before: string;
  after: string;
  parts: Change[];
}

export interface RulesDiff {
  added: PolicyRule[];
  removed: PolicyRule[];
  changed: { id: string; fields: FieldChange[] }[];
  unchanged: string[];
}

/** A field as text: strings as they are, anything else as JSON; absent as ''. */
function text(v: unknown): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function diffRules(before: readonly PolicyRule[], after: readonly PolicyRule[]): RulesDiff {
  const old = new Map(before.map((r) => [r.id, r]));
  const now = new Map(after.map((r) => [r.id, r]));
  const out: RulesDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const r of after) {
    const o = old.get(r.id);
    if (o === undefined) {
      out.added.push(r);
      continue;
    }
    const fields: FieldChange[] = [];
    const names = [...new Set([...Object.keys(o), ...Object.keys(r)])].filter((k) => k !== 'id').sort();
    for (const field of names) {
      const b = text(o[field]);
      const a = text(r[field]);
      if (a !== b) fields.push({ field, before: b, after: a, parts: diffWords(b, a) });
    }
    if (fields.length === 0) out.unchanged.push(r.id);
    else out.changed.push({ id: r.id, fields });
  }
  for (const r of before) if (!now.has(r.id)) out.removed.push(r);
  return out;
}
