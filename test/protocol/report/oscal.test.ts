/**
 * The OSCAL export against the OSCAL 1.1.2 assessment-results model (oscal-schema.ts: the v1.1.2
 * metaschema's definitions of every part the export uses, rendered as NIST's release JSON Schema renders
 * them — required fields, enums, datatype patterns and formats, no property the model does not define),
 * checked with ajv (draft-07, Unicode property escapes, ajv-formats).
 */
import { Ajv } from 'ajv';
import { default as addFormats } from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { OSCAL_VERSION, oscalUuid, reportOscal } from '../../../protocol/report/oscal.ts';
import { makeReport, signedFile } from './fixtures.ts';
import { assessmentResultsSchema, UUID_PATTERN } from './oscal-schema.ts';

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, unicodeRegExp: true });
const validate = addFormats.default(ajv).compile(assessmentResultsSchema);
const report = await makeReport();
const file = signedFile(report);

type Node = Record<string | number, unknown>;
const DELETE = Symbol('delete');
/** The export with the value at `path` replaced (or deleted). */
function changed(path: (string | number)[], value: unknown): unknown {
  const d = reportOscal(report, file);
  let o = d as Node;
  for (const k of path.slice(0, -1)) o = o[k] as Node;
  const last = path[path.length - 1] as string | number;
  if (value === DELETE) delete o[last];
  else o[last] = value;
  return d;
}
const errorsOf = (d: unknown) =>
  validate(d) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

const AR = 'assessment-results';
const OBS = [AR, 'results', 0, 'observations', 0];
const FINDING = [AR, 'results', 0, 'findings', 0];

describe('reportOscal', () => {
  it('is an OSCAL 1.1.2 assessment-results document: every required field, nothing the model does not define', () => {
    const doc = reportOscal(report, file) as { [AR]: { metadata: Node } };
    expect(errorsOf(doc)).toEqual([]);
    expect(doc[AR].metadata['oscal-version']).toBe(OSCAL_VERSION);
    expect(OSCAL_VERSION).toBe('1.1.2');
  });

  it('the check can fail: a required field removed, a bad UUID, an unknown property, a value outside an enum', () => {
    const cases: [string, (string | number)[], unknown, RegExp][] = [
      ['no oscal-version', [AR, 'metadata', 'oscal-version'], DELETE, /oscal-version/],
      ['no methods', [...OBS, 'methods'], DELETE, /methods/],
      ['no target status', [...FINDING, 'target', 'status'], DELETE, /status/],
      ['bad uuid', [AR, 'results', 0, 'uuid'], 'not-a-uuid', /\/results\/0\/uuid/],
      ['version-1 uuid', [AR, 'uuid'], 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', /\/uuid/],
      ['unknown property', [AR, 'results', 0, 'verdict'], 'ok', /additional properties/],
      ['bad state', [...FINDING, 'target', 'status', 'state'], 'pass', /allowed values/],
      ['bad actor type', [...OBS, 'origins', 0, 'actors', 0, 'type'], 'org', /allowed values/],
      ['no time zone', [AR, 'metadata', 'last-modified'], '2026-01-01T00:00:00', /last-modified/],
      ['padded string', [AR, 'metadata', 'version'], ' v1', /version/],
      ['empty list', [AR, 'results', 0, 'findings'], [], /findings/],
      ['namespace not a URI', [...FINDING, 'props', 0, 'ns'], 'govfed', /ns/],
      ['two-line title', [AR, 'results', 0, 'title'], 'a\nb', /title/],
    ];
    for (const [name, path, value, where] of cases) {
      const errors = errorsOf(changed(path, value));
      expect(errors.length, name).toBeGreaterThan(0);
      expect(errors.join('; '), name).toMatch(where);
    }
  });

  it('has one finding per control (not-satisfied unless supported) and one observation per evidence item', () => {
    const r = (reportOscal(report, file)[AR] as { results: unknown[] }).results[0] as {
      findings: { target: { 'target-id': string; status: { state: string } } }[];
      observations: unknown[];
    };
    expect(r.findings.map((f) => f.target['target-id'])).toEqual(report.controls.map((c) => c.id));
    for (const [i, c] of report.controls.entries()) {
      expect(r.findings[i]?.target.status.state).toBe(c.status === 'supported' ? 'satisfied' : 'not-satisfied');
    }
    expect(r.observations).toHaveLength(report.evidence.length);
  });

  it('carries the signed report itself, byte for byte, in its back-matter', () => {
    const doc = reportOscal(report, file)[AR] as { 'back-matter': { resources: { base64: { value: string } }[] } };
    const value = doc['back-matter'].resources[0]?.base64.value as string;
    expect(Buffer.from(value, 'base64').equals(Buffer.from(file))).toBe(true);
  });

  it('is deterministic, and its UUIDs are RFC 4122 version 5 layout', () => {
    expect(JSON.stringify(reportOscal(report, file))).toBe(JSON.stringify(reportOscal(report, file)));
    expect(oscalUuid('sha256:00', 'x')).toMatch(new RegExp(UUID_PATTERN));
    expect(oscalUuid('sha256:00', 'x')).not.toBe(oscalUuid('sha256:00', 'y'));
  });
});
