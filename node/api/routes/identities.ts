/**
 * People of this org's roster (node/registry/rosters.ts; docs/registry.md "People, keys and roles"):
 *
 *   POST /v1/identities         (admin)   {name, role, publicKey}: add a person — only the public key;
 *                                         the private key stays with the person (govfed identity create)
 *   POST /v1/identities/revoke  (admin)   {name}: move a person to `revoked`
 *   GET  /v1/identities?org=ORG (auditor) the roster of ORG as this node holds it (default: ours)
 *
 * Each change is a new roster version, signed by this node, logged (`registry.roster`) and gossiped.
 */
import type { FastifyInstance } from 'fastify';
import { fromBase64 } from '../../../protocol/encoding/bytes.ts';
import { PERSON_NAME_PATTERN, ROLES, type Role, type Roster } from '../../../protocol/registry/index.ts';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { requireRegistry } from '../ports/registry.ts';
import { emptyQuery } from '../schemas/federation.ts';
import { errorResponses } from '../schemas/shared.ts';

const ORG_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
const person = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role', 'publicKey'],
  properties: {
    name: { type: 'string' },
    role: { type: 'string' },
    publicKey: { type: 'string', description: 'base64 of the 32-byte Ed25519 public key' },
    addedAt: { type: 'string' },
    revokedAt: { type: 'string' },
  },
} as const;
const rosterView = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'version', 'people', 'revoked'],
  properties: {
    org: { type: 'string' },
    version: { type: 'integer', description: '0: no roster yet' },
    issuedAt: { type: ['string', 'null'] },
    people: { type: 'array', items: person },
    revoked: { type: 'array', items: person },
  },
} as const;

function view(org: string, r: Roster | undefined) {
  return r === undefined
    ? { org, version: 0, issuedAt: null, people: [], revoked: [] }
    : { org: r.org, version: r.version, issuedAt: r.issuedAt, people: r.people, revoked: r.revoked };
}

/** Options of an admin route changing this org's roster: a small JSON body, no query. */
function adminOptions(summary: string, body: object) {
  return {
    config: { access: 'admin' as const },
    bodyLimit: 1024,
    schema: {
      summary,
      tags: ['registry'],
      security: [{ bearer: [] }],
      querystring: emptyQuery,
      body,
      response: { 200: rosterView, ...errorResponses },
    },
  };
}

export function identitiesRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { name: string; role: Role; publicKey: string } }>(
    '/v1/identities',
    adminOptions("Add a person (name, role, public key) to this org's roster", {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'role', 'publicKey'],
      properties: {
        name: { type: 'string', pattern: PERSON_NAME_PATTERN },
        role: { type: 'string', enum: [...ROLES] },
        publicKey: {
          type: 'string',
          pattern: '^[A-Za-z0-9+/]{43}=$',
          description: 'base64 of the 32-byte Ed25519 public key',
        },
      },
    }),
    async (req) => {
      const registry = requireRegistry(ctx);
      let publicKey: Uint8Array;
      try {
        publicKey = fromBase64(req.body.publicKey);
      } catch {
        throw new NodeError('ERR_VALIDATION', 'publicKey: not base64');
      }
      if (publicKey.length !== 32) throw new NodeError('ERR_VALIDATION', 'publicKey: expected 32 bytes');
      const r = await registry.addPerson({ name: req.body.name, role: req.body.role, publicKey });
      return view(r.org, r);
    },
  );
  app.post<{ Body: { name: string } }>(
    '/v1/identities/revoke',
    adminOptions("Revoke a person of this org's roster (their votes stop counting)", {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { name: { type: 'string', pattern: PERSON_NAME_PATTERN } },
    }),
    async (req) => {
      const r = await requireRegistry(ctx).revoke(req.body.name);
      return view(r.org, r);
    },
  );
  app.get<{ Querystring: { org?: string } }>(
    '/v1/identities',
    {
      config: { access: 'auditor' as const },
      schema: {
        summary: "An org's roster as this node holds it (default: this org's)",
        tags: ['registry'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { org: { type: 'string', pattern: ORG_PATTERN } },
        },
        response: { 200: rosterView, ...errorResponses },
      },
    },
    async (req) => {
      const org = req.query.org ?? ctx.home.config.org;
      return view(org, requireRegistry(ctx).roster(org));
    },
  );
}
