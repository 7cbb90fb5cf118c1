/** POST /v1/federation (admin) {name, thresholds?} — found a federation with this node as its only member. */
import type { FastifyInstance } from 'fastify';
import { assertNoBidiControl } from '../../../protocol/encoding/strict-json.ts';
import type { Thresholds } from '../../../protocol/federation/index.ts';
import { MAX_NAME_CHARS, MAX_SUSPENSION_TTL_S, MIN_SUSPENSION_TTL_S } from '../../../protocol/federation/index.ts';
import type { ApiContext } from '../context.ts';
import { operationResult, requireFederation } from '../ports/federation.ts';
import { federationAdminOptions } from '../schemas/federation.ts';

const count = { type: 'integer', minimum: 1, maximum: 256 } as const;

export const thresholdsInput = {
  type: 'object',
  additionalProperties: false,
  properties: {
    admission: count,
    policy: count,
    charter: count,
    witness: count,
    revocation: { ...count, description: 'distinct risk officers whose revoke votes revoke a model version' },
    suspensionTtl: {
      type: 'integer',
      minimum: MIN_SUSPENSION_TTL_S,
      maximum: MAX_SUSPENSION_TTL_S,
      description: 'seconds an unratified suspension lasts (the kill switch)',
    },
  },
} as const;

export function federationCreateRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { name: string; thresholds?: Partial<Thresholds> } }>(
    '/v1/federation',
    federationAdminOptions({
      summary: 'Create a federation (this node founds it)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: MAX_NAME_CHARS },
          thresholds: thresholdsInput,
        },
      },
      bodyLimit: 4096,
    }),
    async (request) => {
      assertNoBidiControl(request.body.name, 'name'); // the federation's name, shown to every member
      const port = requireFederation(ctx);
      const status = await port.create({
        name: request.body.name,
        ...(request.body.thresholds === undefined ? {} : { thresholds: request.body.thresholds }),
      });
      ctx.events('federation:create', { name: request.body.name });
      return operationResult(port, status);
    },
  );
}
