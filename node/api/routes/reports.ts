/**
 * GET /v1/reports/models/{name}?version=&org=&waitMs=  (auditor) — a compliance report on a model across
 * every org of the federation (node/report; docs/reports.md): the signed records about it, each with an
 * inclusion proof against a witnessed checkpoint of the log of the org that made it, every org's signed
 * decision counts, the summary and the controls, signed by this node. It verifies offline with `govfed
 * verify`. 404 when no version of the model is registered; 409 ERR_AMBIGUOUS_MODEL when several orgs
 * registered that name (give `org`). What could not be gathered in time is listed in the report's `gaps`.
 */
import type { FastifyInstance } from 'fastify';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { requireReport } from '../ports/report.ts';
import { MAX_REPORT_WAIT_MS, reportParams, reportQuery, signedReportSchema } from '../schemas/reports.ts';
import { errorResponses, toUint } from '../schemas/shared.ts';

export function reportsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { name: string }; Querystring: { version?: string; org?: string; waitMs?: string } }>(
    '/v1/reports/models/:name',
    {
      config: { access: 'auditor' as const },
      schema: {
        summary: 'A signed, offline-verifiable compliance report on a model across every org',
        tags: ['reports'],
        security: [{ bearer: [] }],
        params: reportParams,
        querystring: reportQuery,
        response: { 200: signedReportSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const report = requireReport(ctx);
      const waitMs = req.query.waitMs === undefined ? undefined : toUint(req.query.waitMs, 'querystring/waitMs');
      if (waitMs !== undefined && waitMs > MAX_REPORT_WAIT_MS) {
        throw new NodeError('ERR_VALIDATION', `querystring/waitMs must be 0..${MAX_REPORT_WAIT_MS}`);
      }
      const subject = report.subject(req.params.name, req.query.version, req.query.org);
      const signed = await report.report(subject, waitMs);
      reply.header('cache-control', 'no-store');
      return signed;
    },
  );
}
