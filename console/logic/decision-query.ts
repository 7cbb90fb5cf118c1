/**
 * The decisions page's search form as GET /v1/decisions's query (node/api/schemas/decisions.ts): empty
 * fields are left out, times from the form's local `datetime-local` value are sent as RFC 3339 UTC.
 */

export interface DecisionForm {
  model: string;
  /** '' | 'allowed' | 'denied' */
  verdict: string;
  flag: string;
  /** `YYYY-MM-DDTHH:MM` (datetime-local) or '' */
  since: string;
  until: string;
}

export const EMPTY_FORM: DecisionForm = { model: '', verdict: '', flag: '', since: '', until: '' };

/** A datetime-local value as RFC 3339 UTC (seconds, `Z`), or undefined when empty or not a time. */
export function localToUtc(value: string, toDate: (v: string) => Date = (v) => new Date(v)): string | undefined {
  if (value.trim() === '') return undefined;
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return undefined;
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The query string (with `?`, or '' when nothing is set) for a form, a page size and a cursor. */
export function decisionQuery(form: DecisionForm, limit: number, cursor?: string): string {
  const q = new URLSearchParams();
  if (form.model.trim() !== '') q.set('model', form.model.trim());
  if (form.verdict === 'allowed' || form.verdict === 'denied') q.set('verdict', form.verdict);
  if (form.flag.trim() !== '') q.set('flag', form.flag.trim());
  const since = localToUtc(form.since);
  const until = localToUtc(form.until);
  if (since !== undefined) q.set('since', since);
  if (until !== undefined) q.set('until', until);
  q.set('limit', String(limit));
  if (cursor !== undefined) q.set('cursor', cursor);
  return `?${q.toString()}`;
}
