/**
 * OSCAL 1.1.2 assessment-results as a JSON Schema (draft-07), for the assemblies govfed's export uses —
 * transcribed from the v1.1.2 model itself: usnistgov/OSCAL tag v1.1.2 (commit 4f02dac6f698), files
 * src/metaschema/oscal_{assessment-results,assessment-common,implementation-common,metadata}_metaschema.xml,
 * rendered the way NIST's release build (usnistgov/metaschema-xslt, make-json-schema-metamap.xsl) renders a
 * metaschema into the released json/schema/oscal_assessment-results_schema.json:
 *
 * - every flag and field of a definition is a property (its JSON name: group-as for lists, use-name);
 *   `additionalProperties: false`; `required` = the required flags and the fields/assemblies with
 *   min-occurs ≥ 1 (members of a `choice`, like include-all / include-controls, are not required);
 * - a list (group-as in-json ARRAY) is an array with minItems 1 (the release schema's minItems);
 * - allowed-values with allow-other="no" are an enum; with allow-other="yes" they restrict nothing;
 * - the datatypes are metaschema-datatypes.json of usnistgov/metaschema at 37fd650 (the submodule NIST's
 *   v1.1.2 build used): patterns, `format`s (uri, uri-reference, date-time: ajv-formats) included.
 *
 * Parts of the model the export never writes (links, risks, roles, …) are accepted unchecked (`ANY`): the
 * export must not use them, and a property no OSCAL definition has is refused. docs/reports.md "OSCAL"
 * lists what was compared and how it was checked against the schema NIST's pipeline builds.
 */

// metaschema-datatypes.json (usnistgov/metaschema 37fd650), the definitions the export's fields use.
const STRING = { type: 'string', pattern: '^\\S(.*\\S)?$' };
const TOKEN = { type: 'string', pattern: '^(\\p{L}|_)(\\p{L}|\\p{N}|[.\\-_])*$' };
export const UUID_PATTERN = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$';
const UUID = { type: 'string', pattern: UUID_PATTERN };
const URI = { type: 'string', format: 'uri', pattern: '^[a-zA-Z][a-zA-Z0-9+\\-.]+:.+$' };
const URI_REFERENCE = { type: 'string', format: 'uri-reference' };
const DATETIME_TZ = {
  type: 'string',
  format: 'date-time',
  pattern:
    '^(((2000|2400|2800|(19|2[0-9](0[48]|[2468][048]|[13579][26])))-02-29)|(((19|2[0-9])[0-9]{2})-02-(0[1-9]|1[0-9]|2[0-8]))|(((19|2[0-9])[0-9]{2})-(0[13578]|10|12)-(0[1-9]|[12][0-9]|3[01]))|(((19|2[0-9])[0-9]{2})-(0[469]|11)-(0[1-9]|[12][0-9]|30)))T(2[0-3]|[01][0-9]):([0-5][0-9]):([0-5][0-9])(\\.[0-9]+)?(Z|(-((0[0-9]|1[0-2]):00|0[39]:30)|\\+((0[0-9]|1[0-4]):00|(0[34569]|10):30|(0[58]|12):45)))$',
};
const BASE64 = { type: 'string', pattern: '^[0-9A-Za-z+/]+={0,2}$', contentEncoding: 'base64' };
const MARKUP_LINE = { type: 'string', pattern: '^[^\\n]+$' };
const MARKUP_MULTILINE = { type: 'string' };
/** A part of the model the export never writes: allowed by the model, not checked deeper here. */
const ANY = {};

const list = (items: unknown) => ({ type: 'array', minItems: 1, items });
const oneOf = (type: object, values: string[]) => ({ allOf: [type, { enum: values }] });
const assembly = (properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

// oscal_metadata_metaschema.xml: property (props), party, resource, back-matter.
const property = assembly(
  { name: TOKEN, uuid: UUID, ns: URI, value: STRING, class: TOKEN, group: TOKEN, remarks: MARKUP_MULTILINE },
  ['name', 'value'],
);
const props = list(property);
const common = { props, links: ANY, remarks: MARKUP_MULTILINE };
const party = assembly(
  {
    uuid: UUID,
    type: oneOf(STRING, ['person', 'organization']),
    name: STRING,
    'short-name': STRING,
    'external-ids': ANY,
    ...common,
    'email-addresses': ANY,
    'telephone-numbers': ANY,
    addresses: ANY,
    'location-uuids': ANY,
    'member-of-organizations': ANY,
  },
  ['uuid', 'type'],
);
const metadata = assembly(
  {
    title: MARKUP_LINE,
    published: DATETIME_TZ,
    'last-modified': DATETIME_TZ,
    version: STRING,
    'oscal-version': STRING,
    revisions: ANY,
    'document-ids': ANY,
    ...common,
    roles: ANY,
    locations: ANY,
    parties: list(party),
    'responsible-parties': ANY,
    actions: ANY,
  },
  ['title', 'last-modified', 'version', 'oscal-version'],
);
const resource = assembly(
  {
    uuid: UUID,
    title: MARKUP_LINE,
    description: MARKUP_MULTILINE,
    props,
    'document-ids': ANY,
    citation: ANY,
    rlinks: ANY,
    base64: assembly({ filename: TOKEN, 'media-type': STRING, value: BASE64 }, ['value']),
    remarks: MARKUP_MULTILINE,
  },
  ['uuid'],
);

// oscal_implementation-common_metaschema.xml: system-component (a result's local-definitions/components).
const component = assembly(
  {
    uuid: UUID,
    type: STRING, // system-component-type: allowed values with allow-other="yes"
    title: MARKUP_LINE,
    description: MARKUP_MULTILINE,
    purpose: MARKUP_LINE,
    props,
    links: ANY,
    status: assembly(
      { state: oneOf(TOKEN, ['under-development', 'operational', 'disposition', 'other']), remarks: MARKUP_MULTILINE },
      ['state'],
    ),
    'responsible-roles': ANY,
    protocols: ANY,
    remarks: MARKUP_MULTILINE,
  },
  ['uuid', 'type', 'title', 'description', 'status'],
);

// oscal_assessment-common_metaschema.xml: reviewed-controls, observation, origin, finding, finding-target.
const selectControl = assembly({ 'control-id': TOKEN, 'statement-ids': list(TOKEN) }, ['control-id']);
const reviewedControls = assembly(
  {
    description: MARKUP_MULTILINE,
    props,
    links: ANY,
    'control-selections': list(
      assembly(
        {
          description: MARKUP_MULTILINE,
          props,
          links: ANY,
          'include-all': ANY,
          'include-controls': list(selectControl),
          'exclude-controls': list(selectControl),
          remarks: MARKUP_MULTILINE,
        },
        [],
      ),
    ),
    'control-objective-selections': ANY,
    remarks: MARKUP_MULTILINE,
  },
  ['control-selections'],
);
const actor = assembly(
  {
    type: oneOf(TOKEN, ['tool', 'assessment-platform', 'party']),
    'actor-uuid': UUID,
    'role-id': TOKEN,
    props,
    links: ANY,
  },
  ['type', 'actor-uuid'],
);
const origin = assembly({ actors: list(actor), 'related-tasks': ANY }, ['actors']);
const observation = assembly(
  {
    uuid: UUID,
    title: MARKUP_LINE,
    description: MARKUP_MULTILINE,
    props,
    links: ANY,
    methods: list(STRING), // allowed values EXAMINE, INTERVIEW, TEST, UNKNOWN with allow-other="yes"
    types: list(TOKEN), // allowed values with allow-other="yes"
    origins: list(origin),
    subjects: ANY,
    'relevant-evidence': list(
      assembly({ href: URI_REFERENCE, description: MARKUP_MULTILINE, ...common }, ['description']),
    ),
    collected: DATETIME_TZ,
    expires: DATETIME_TZ,
    remarks: MARKUP_MULTILINE,
  },
  ['uuid', 'description', 'methods', 'collected'],
);
const target = assembly(
  {
    type: oneOf(STRING, ['statement-id', 'objective-id']),
    'target-id': TOKEN,
    title: MARKUP_LINE,
    description: MARKUP_MULTILINE,
    props,
    links: ANY,
    status: assembly(
      { state: oneOf(TOKEN, ['satisfied', 'not-satisfied']), reason: TOKEN, remarks: MARKUP_MULTILINE },
      ['state'],
    ),
    'implementation-status': ANY,
    remarks: MARKUP_MULTILINE,
  },
  ['type', 'target-id', 'status'],
);
const finding = assembly(
  {
    uuid: UUID,
    title: MARKUP_LINE,
    description: MARKUP_MULTILINE,
    props,
    links: ANY,
    origins: list(origin),
    target,
    'implementation-statement-uuid': UUID,
    'related-observations': list(assembly({ 'observation-uuid': UUID }, ['observation-uuid'])),
    'related-risks': ANY,
    remarks: MARKUP_MULTILINE,
  },
  ['uuid', 'title', 'description', 'target'],
);

// oscal_assessment-results_metaschema.xml: result, import-ap, assessment-results (the root).
const result = assembly(
  {
    uuid: UUID,
    title: MARKUP_LINE,
    description: MARKUP_MULTILINE,
    start: DATETIME_TZ,
    end: DATETIME_TZ,
    props,
    links: ANY,
    'local-definitions': assembly(
      { components: list(component), 'inventory-items': ANY, users: ANY, 'assessment-assets': ANY, tasks: ANY },
      [],
    ),
    'reviewed-controls': reviewedControls,
    attestations: ANY,
    'assessment-log': ANY,
    observations: list(observation),
    risks: ANY,
    findings: list(finding),
    remarks: MARKUP_MULTILINE,
  },
  ['uuid', 'title', 'description', 'start', 'reviewed-controls'],
);

export const assessmentResultsSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  ...assembly(
    {
      $schema: URI_REFERENCE,
      'assessment-results': assembly(
        {
          uuid: UUID,
          metadata,
          'import-ap': assembly({ href: URI_REFERENCE, remarks: MARKUP_MULTILINE }, ['href']),
          'local-definitions': ANY,
          results: list(result),
          'back-matter': assembly({ resources: list(resource) }, []),
        },
        ['uuid', 'metadata', 'import-ap', 'results'],
      ),
    },
    ['assessment-results'],
  ),
};
