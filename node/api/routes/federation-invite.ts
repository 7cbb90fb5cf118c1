/**
 * POST /v1/federation/invites (admin) {org, peerId, jurisdiction?, logKey?, witnessKey?, ttlSeconds?,
 * allowUnprovable?} — propose admitting a peer and return the invite file (canonical JSON text; the
 * joiner checks it by its signatures, so any JSON layout of it joins). Without logKey or witnessKey the
 * member could not be proven or could not cosign: refused (ERR_UNPROVABLE_MEMBER) unless allowUnprovable.
 */
import type { FastifyInstance } from 'fastify';
import { fromUtf8 } from '../../../protocol/encoding/bytes.ts';
import { ORG_PATTERN, PEER_ID_PATTERN } from '../../../protocol/federation/index.ts';
import { NodeError } from '../../errors.ts';
import { DEFAULT_JURISDICTION } from '../../home/config.ts';
import type { ApiContext } from '../context.ts';
import { requireFederation } from '../ports/federation.ts';
import { federationAdminOptions, jurisdiction, operationResultSchema } from '../schemas/federation.ts';

/** A C2SP signed-note verifier key: printable ASCII, no spaces. */
const noteKey = { type: 'string', pattern: '^[\\x21-\\x7e]{1,512}$' } as const;

interface InviteBody {
  org: string;
  peerId: string;
  jurisdiction?: string;
  logKey?: string;
  witnessKey?: string;
  ttlSeconds?: number;
  allowUnprovable?: boolean;
}

/** Refuses an invitee without a log key or witness key unless the caller said so (ERR_UNPROVABLE_MEMBER). */
function checkProvable(b: InviteBody): void {
  if (b.allowUnprovable === true) return;
  const missing = [
    ...(b.logKey === undefined ? ['log key (logKey, --log-key)'] : []),
    ...(b.witnessKey === undefined ? ['witness key (witnessKey, --witness-key)'] : []),
  ];
  if (missing.length === 0) return;
  throw new NodeError(
    'ERR_UNPROVABLE_MEMBER',
    `the invite would admit ${b.org} without its ${missing.join(' and ')}: others could not prove its entries or use its cosignatures. Invite from its member card (govfed federation invite --card FILE), or set allowUnprovable (--allow-unprovable) to admit it anyway`,
  );
}

export function federationInviteRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: InviteBody }>(
    '/v1/federation/invites',
    federationAdminOptions({
      summary: 'Invite a peer: propose its admission and return the invite file',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['org', 'peerId'],
        properties: {
          org: { type: 'string', pattern: ORG_PATTERN },
          peerId: { type: 'string', pattern: PEER_ID_PATTERN },
          jurisdiction,
          logKey: { ...noteKey, description: "the invitee's audit-log verifier key (its `govfed init` prints it)" },
          witnessKey: { ...noteKey, description: "the invitee's witness key (its `govfed init` prints it)" },
          ttlSeconds: { type: 'integer', minimum: 60, maximum: 86_400 },
          allowUnprovable: {
            type: 'boolean',
            description: 'admit the invitee even without logKey or witnessKey (else ERR_UNPROVABLE_MEMBER)',
          },
        },
      },
      bodyLimit: 4096,
      response: {
        type: 'object',
        additionalProperties: false,
        required: ['invite', 'status'],
        properties: {
          invite: { type: 'string', description: 'the invite file (canonical JSON text; any layout of it joins)' },
          status: operationResultSchema.properties.status,
        },
      },
    }),
    async (request) => {
      const port = requireFederation(ctx);
      const b = request.body;
      checkProvable(b);
      const bytes = await port.invite({
        org: b.org,
        peerId: b.peerId,
        jurisdiction: b.jurisdiction ?? DEFAULT_JURISDICTION,
        ...(b.logKey === undefined ? {} : { logKey: b.logKey }),
        ...(b.witnessKey === undefined ? {} : { witnessKey: b.witnessKey }),
        ...(b.ttlSeconds === undefined ? {} : { ttlMs: b.ttlSeconds * 1000 }),
      });
      return { invite: fromUtf8(bytes), status: port.status() };
    },
  );
}
