/**
 * The compliance report as OSCAL assessment-results (`govfed report model --format oscal`, for GRC
 * tools; docs/reports.md "OSCAL"), following the OSCAL 1.1.2 assessment-results model (usnistgov/OSCAL
 * tag v1.1.2, src/metaschema; test/protocol/report/oscal.test.ts checks the document against it):
 *
 *   assessment-results  uuid, metadata {title, last-modified, version, oscal-version, parties},
 *                       import-ap {href → the back-matter resource}, results [1], back-matter
 *   result              uuid, title, description, start, end, local-definitions {components: govfed},
 *                       reviewed-controls {control-selections: [{include-controls: every control id}]},
 *                       observations (one per evidence item: what record, whose log, which entry),
 *                       findings (one per control: target {objective-id, status satisfied |
 *                       not-satisfied}, related-observations = the control's evidence, remarks = missing)
 *   back-matter         one resource: the signed govfed report file itself (base64), so that the OSCAL
 *                       file carries what `govfed verify` checks
 *
 * A pure function of the report and its file bytes: the same report gives the same document, UUIDs
 * included (version-5-style UUIDs from the report's digest and a name).
 */
import { sha256 } from '../crypto/sha256.ts';
import { toBase64, toHex, utf8 } from '../encoding/bytes.ts';
import { type Report, reportDigest } from './report.ts';

export const OSCAL_VERSION = '1.1.2';

/** A deterministic RFC 4122 UUID (version 5 layout) for `name` within the report `digest`. */
export function oscalUuid(digest: string, name: string): string {
  const h = sha256(utf8(`govfed-oscal\n${digest}\n${name}`)).slice(0, 16);
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = toHex(h);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const STATUS = { supported: 'satisfied', partial: 'not-satisfied', missing: 'not-satisfied' } as const;

/** The OSCAL document of `report`, whose signed file's bytes are `file` (embedded in the back-matter). */
export function reportOscal(report: Report, file: Uint8Array): Record<string, unknown> {
  const digest = reportDigest(report);
  const id = (name: string) => oscalUuid(digest, name);
  const at = report.generated.at;
  const subject = `${report.subject.org}/${report.subject.name}${report.subject.version === undefined ? '' : `@${report.subject.version}`}`;
  const resource = id('resource:report');
  const tool = id('component:govfed');
  const party = id(`party:${report.generated.org}`);
  const obs = new Map(report.evidence.map((e) => [e.id, id(`observation:${e.id}`)]));
  const observations = report.evidence.map((e) => ({
    uuid: obs.get(e.id) as string,
    title: `${e.kind} record of ${e.org} (${e.id})`,
    description: `A ${e.kind} record signed for ${e.org}, included at entry ${e.index} of ${e.org}'s audit log, proven against its checkpoint of size ${e.treeSize} cosigned by other members' witnesses.`,
    props: [
      { name: 'evidence-id', ns: 'https://govfed.org/ns/oscal', value: e.id },
      { name: 'evidence-kind', ns: 'https://govfed.org/ns/oscal', value: e.kind },
      { name: 'org', ns: 'https://govfed.org/ns/oscal', value: e.org },
    ],
    methods: ['TEST'],
    types: ['control-objective'],
    origins: [{ actors: [{ type: 'tool', 'actor-uuid': tool }] }],
    'relevant-evidence': [
      {
        href: `#${resource}`,
        description: `Evidence item ${e.id} of the signed govfed report (verify with govfed verify).`,
      },
    ],
    collected: at,
  }));
  const findings = report.controls.map((c) => ({
    uuid: id(`finding:${c.id}`),
    title: `${c.framework}: ${c.title}`,
    description: `${c.status}: ${c.evidence.length} evidence item(s) support it${c.missing.length === 0 ? '' : `; missing: ${c.missing.join('; ')}`}.`,
    props: [{ name: 'govfed-status', ns: 'https://govfed.org/ns/oscal', value: c.status }],
    target: {
      type: 'objective-id',
      'target-id': c.id,
      title: c.title,
      status: { state: STATUS[c.status] },
    },
    ...(c.evidence.length === 0
      ? {}
      : { 'related-observations': c.evidence.map((e) => ({ 'observation-uuid': obs.get(e) as string })) }),
    ...(c.missing.length === 0 ? {} : { remarks: `Missing: ${c.missing.join('; ')}` }),
  }));
  return {
    'assessment-results': {
      uuid: id('assessment-results'),
      metadata: {
        title: `govfed compliance report: ${subject}`,
        'last-modified': at,
        version: digest,
        'oscal-version': OSCAL_VERSION,
        parties: [{ uuid: party, type: 'organization', name: report.generated.org }],
      },
      'import-ap': {
        href: `#${resource}`,
        remarks:
          'No separate assessment plan: the controls assessed are govfed’s fixed mapping of the federation’s signed records to obligations (docs/reports.md).',
      },
      results: [
        {
          uuid: id('result'),
          title: `Cross-org compliance report on ${subject}`,
          description: `Signed records about ${subject} from ${report.logs.length} org(s) of federation ${report.federation.id}, each proven in the witnessed log of the org that made it; ${report.summary.total.decisions} decisions (${report.summary.total.denied} denied) from every org's signed counts.`,
          start: at,
          end: at,
          'local-definitions': {
            components: [
              {
                uuid: tool,
                type: 'software',
                title: 'govfed',
                description: `The govfed node of ${report.generated.org} (peer ${report.generated.peerId}) that gathered and signed the report.`,
                status: { state: 'operational' },
              },
            ],
          },
          'reviewed-controls': {
            'control-selections': [{ 'include-controls': report.controls.map((c) => ({ 'control-id': c.id })) }],
          },
          ...(observations.length === 0 ? {} : { observations }),
          ...(findings.length === 0 ? {} : { findings }),
        },
      ],
      'back-matter': {
        resources: [
          {
            uuid: resource,
            title: 'Signed govfed report (govfed-report/v1)',
            description: 'The report this document was made from; check it offline with govfed verify.',
            base64: { filename: 'report.json', 'media-type': 'application/json', value: toBase64(file) },
          },
        ],
      },
    },
  };
}
