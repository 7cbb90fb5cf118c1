/**
 * POST /v1/federation/thresholds (admin) {admission?, policy?, charter?} — propose a threshold change (a
 * charter change). Raising admission above the charter threshold raises the charter threshold with it.
 * Completed at once when this node's signature meets the charter threshold; else left pending.
 */
import type { FastifyInstance } from 'fastify';
import type { Thresholds } from '../../../protocol/federation/index.ts';
import type { ApiContext } from '../context.ts';
import { operationResult, requireFederation } from '../ports/federation.ts';
import { federationAdminOptions } from '../schemas/federation.ts';
import { thresholdsInput } from './federation-create.ts';

export function federationThresholdsRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: Partial<Thresholds> }>(
    '/v1/federation/thresholds',
    federationAdminOptions({
      summary: 'Propose new thresholds (a charter change)',
      body: { ...thresholdsInput, minProperties: 1 },
    }),
    async (request) => {
      const port = requireFederation(ctx);
      return operationResult(port, await port.setThreshold(request.body));
    },
  );
}
