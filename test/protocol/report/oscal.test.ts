/**
 * The OSCAL export against the assessment-results model: a JSON Schema of the parts it uses, with the
 * `required` lists, enums and patterns transcribed from OSCAL's own schema
 * (usnistgov/OSCAL json/schema/oscal_assessment-results_schema.json: assessment-results, metadata,
 * import-ap, result, reviewed-controls, select-control-by-id, observation, origin, origin-actor,
 * finding, finding-target, system-component, party, property, back-matter resource), additionalProperties
 * false as there — checked with ajv.
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { oscalUuid, reportOscal } from '../../../protocol/report/oscal.ts';
import { makeReport, signedFile } from './fixtures.ts';

const UUID = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$';
const TOKEN = '^(\\p{L}|_)(\\p{L}|\\p{N}|[.\\-_])*$';
const DATETIME_TZ =
  '^(((2000|2400|2800|(19|2[0-9](0[48]|[2468][048]|[13579][26])))-02-29)|(((19|2[0-9])[0-9]{2})-02-(0[1-9]|1[0-9]|2[0-8]))|(((19|2[0-9])[0-9]{2})-(0[13578]|10|12)-(0[1-9]|[12][0-9]|3[01]))|(((19|2[0-9])[0-9]{2})-(0[469]|11)-(0[1-9]|[12][0-9]|30)))T(2[0-3]|[01][0-9]):([0-5][0-9]):([0-5][0-9])(\\.[0-9]+)?(Z|(-((0[0-9]|1[0-2]):00|0[39]:30)|\\+((0[0-9]|1[0-4]):00|(0[34569]|10):30|(0[58]|12):45)))$';
const uuid = { type: 'string', pattern: UUID };
const token = { type: 'string', pattern: TOKEN };
const str = { type: 'string' };
const dt = { type: 'string', pattern: DATETIME_TZ };
const arr = (items: unknown) => ({ type: 'array', minItems: 1, items });
const obj = (properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const prop = obj({ name: token, uuid, ns: str, value: str, class: token, remarks: str }, ['name', 'value']);
const selectControl = obj({ 'control-id': token, 'statement-ids': arr(token) }, ['control-id']);
const actor = obj(
  { type: { enum: ['tool', 'assessment-platform', 'party'] }, 'actor-uuid': uuid, 'role-id': token, props: arr(prop) },
  ['type', 'actor-uuid'],
);
const origin = obj({ actors: arr(actor) }, ['actors']);
const observation = obj(
  {
    uuid,
    title: str,
    description: str,
    props: arr(prop),
    methods: arr(str),
    types: arr(token),
    origins: arr(origin),
    'relevant-evidence': arr(obj({ href: str, description: str, props: arr(prop), remarks: str }, ['description'])),
    collected: dt,
    expires: dt,
    remarks: str,
  },
  ['uuid', 'description', 'methods', 'collected'],
);
const finding = obj(
  {
    uuid,
    title: str,
    description: str,
    props: arr(prop),
    origins: arr(origin),
    target: obj(
      {
        type: { enum: ['statement-id', 'objective-id'] },
        'target-id': token,
        title: str,
        description: str,
        props: arr(prop),
        status: obj({ state: { enum: ['satisfied', 'not-satisfied'] }, reason: token, remarks: str }, ['state']),
        remarks: str,
      },
      ['type', 'target-id', 'status'],
    ),
    'related-observations': arr(obj({ 'observation-uuid': uuid }, ['observation-uuid'])),
    remarks: str,
  },
  ['uuid', 'title', 'description', 'target'],
);
const component = obj(
  {
    uuid,
    type: str,
    title: str,
    description: str,
    purpose: str,
    props: arr(prop),
    status: obj({ state: { enum: ['under-development', 'operational', 'disposition', 'other'] }, remarks: str }, [
      'state',
    ]),
    remarks: str,
  },
  ['uuid', 'type', 'title', 'description', 'status'],
);
const result = obj(
  {
    uuid,
    title: str,
    description: str,
    start: dt,
    end: dt,
    props: arr(prop),
    'local-definitions': obj({ components: arr(component) }, []),
    'reviewed-controls': obj(
      {
        description: str,
        'control-selections': arr(
          obj(
            {
              description: str,
              'include-all': { type: 'object' },
              'include-controls': arr(selectControl),
              'exclude-controls': arr(selectControl),
            },
            [],
          ),
        ),
      },
      ['control-selections'],
    ),
    observations: arr(observation),
    findings: arr(finding),
    remarks: str,
  },
  ['uuid', 'title', 'description', 'start', 'reviewed-controls'],
);
const schema = obj(
  {
    'assessment-results': obj(
      {
        uuid,
        metadata: obj(
          {
            title: str,
            published: dt,
            'last-modified': dt,
            version: str,
            'oscal-version': str,
            props: arr(prop),
            parties: arr(
              obj({ uuid, type: { enum: ['person', 'organization'] }, name: str, 'short-name': str }, ['uuid', 'type']),
            ),
            remarks: str,
          },
          ['title', 'last-modified', 'version', 'oscal-version'],
        ),
        'import-ap': obj({ href: str, remarks: str }, ['href']),
        results: arr(result),
        'back-matter': obj(
          {
            resources: arr(
              obj(
                {
                  uuid,
                  title: str,
                  description: str,
                  props: arr(prop),
                  base64: obj({ filename: str, 'media-type': str, value: str }, ['value']),
                  remarks: str,
                },
                ['uuid'],
              ),
            ),
          },
          [],
        ),
      },
      ['uuid', 'metadata', 'import-ap', 'results'],
    ),
  },
  ['assessment-results'],
);

const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: true }).compile(schema);
const report = await makeReport();
const file = signedFile(report);

describe('reportOscal', () => {
  it('is an OSCAL assessment-results document: every required field, nothing the model does not define', () => {
    const doc = reportOscal(report, file);
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // The check itself can fail: a document without a required field is refused.
    const broken = structuredClone(doc) as { 'assessment-results': { metadata: Record<string, unknown> } };
    delete broken['assessment-results'].metadata['oscal-version'];
    expect(validate(broken)).toBe(false);
  });

  it('has one finding per control (not-satisfied unless supported) and one observation per evidence item', () => {
    const r = (reportOscal(report, file)['assessment-results'] as { results: Record<string, unknown>[] })
      .results[0] as {
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
    const doc = reportOscal(report, file)['assessment-results'] as {
      'back-matter': { resources: { base64: { value: string } }[] };
    };
    expect(
      Buffer.from(doc['back-matter'].resources[0]?.base64.value as string, 'base64').equals(Buffer.from(file)),
    ).toBe(true);
  });

  it('is deterministic, and its UUIDs are RFC 4122 version 5 layout', () => {
    expect(JSON.stringify(reportOscal(report, file))).toBe(JSON.stringify(reportOscal(report, file)));
    expect(oscalUuid('sha256:00', 'x')).toMatch(new RegExp(UUID));
    expect(oscalUuid('sha256:00', 'x')).not.toBe(oscalUuid('sha256:00', 'y'));
  });
});
