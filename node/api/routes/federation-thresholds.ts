/**
 * POST /v1/federation/thresholds (admin) {admission?, policy?, charter?} — propose a threshold change (a
 * charter change). Raising admission above the charter threshold raises the charter threshold with it.
 * Completed at once when this node's signature meets the charter threshold; else left pending.
 */
import type { FastifyInstance } from 'fastify';
import type { Thresholds } from '../../../protocol/federation/index.ts';
import type { ApiContext } from '../context.ts';
import { operationResult, requireFederation } from '../ports/federation.ts';
import { emptyQuery, operationResultSchema } from '../schemas/federation.ts';
import { errorResponses } from '../schemas/shared.ts';
import { thresholdsInput } from './federation-create.ts';

export function federationThresholdsRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: Partial<Thresholds> }>(
    '/v1/federation/thresholds',
    {
      config: { access: 'admin' },
      bodyLimit: 1024,
      schema: {
        summary: 'Propose new thresholds (a charter change)',
        tags: ['federation'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        body: { ...thresholdsInput, minProperties: 1 },
        response: { 200: operationResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const port = requireFederation(ctx);
      return operationResult(port, await port.setThreshold(request.body));
    },
  );
}
