/**
 * Deployments (node/registry/model-deploy.ts; docs/contracts.md "Deployments"):
 *
 *   POST /v1/deployments   (admin)    {name, version, org?, action?: deploy|undeploy|promote, shadow?} —
 *                                     the deployment gate on this node: a signed, logged, gossiped record; a
 *                                     refusal is logged too and answered 409 ERR_DEPLOY_REFUSED with reasons;
 *                                     promote: a shadow deployment goes live, unless its monitoring windows
 *                                     breach (409 ERR_PROMOTE_REFUSED; node/monitoring/promote.ts)
 *   GET  /v1/deployments   (auditor)  ?org=&model=ORG/NAME@VERSION — which org runs which version, as this
 *                                     node holds every member's records
 */
import type { FastifyInstance } from 'fastify';
import { promote } from '../../monitoring/promote.ts';
import type { ApiContext } from '../context.ts';
import { requireModels } from '../ports/models.ts';
import { deployBody, deployedSchema, deploymentsListSchema, deploymentsQuery } from '../schemas/deployments.ts';
import { emptyQuery, errorResponses } from '../schemas/shared.ts';

type Body = {
  name: string;
  version: string;
  org?: string;
  action?: 'deploy' | 'undeploy' | 'promote';
  shadow?: boolean;
};

export function deploymentsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: Body }>(
    '/v1/deployments',
    {
      config: { access: 'admin' as const },
      bodyLimit: 4096,
      schema: {
        summary: 'Deploy (or undeploy) a model version on this node, through the deployment gate',
        tags: ['registry'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        body: deployBody,
        response: { 200: deployedSchema, ...errorResponses },
      },
    },
    async (req) => {
      const models = requireModels(ctx);
      const b = req.body;
      const ref = { org: b.org as string, name: b.name, version: b.version };
      const { deployment, logIndex } =
        b.action === 'undeploy'
          ? await models.undeploy(ref)
          : b.action === 'promote'
            ? await promote(models.find(b.name, b.version, b.org), {
                mode: (held) => models.deployments.mode(ctx.home.config.org, held.key),
                flags: (held) => ctx.monitoring?.view(held.key).flags ?? [],
                latest: (held) => ctx.monitoring?.named(held.key) ?? [],
                live: (held) => {
                  const { org, name } = held.registration.predicate.model;
                  return models.book
                    .all()
                    .filter((x) => x.key !== held.key && x.key.startsWith(`${org}/${name}@`))
                    .filter((x) => models.deployments.mode(ctx.home.config.org, x.key) === 'live');
                },
                deployLive: () => models.deploy(ref, false),
              })
            : await models.deploy(ref, b.shadow === true);
      const r = deployment.record;
      return {
        org: r.org,
        model: r.model,
        digest: r.digest,
        action: r.action,
        shadow: r.shadow,
        ...(r.contract === undefined ? {} : { contract: r.contract }),
        seq: r.seq,
        time: r.time,
        logIndex,
      };
    },
  );
  app.get<{ Querystring: { org?: string; model?: string } }>(
    '/v1/deployments',
    {
      config: { access: 'auditor' as const },
      schema: {
        summary: "Which member runs which model version (every member's deployment records)",
        tags: ['registry'],
        security: [{ bearer: [] }],
        querystring: deploymentsQuery,
        response: { 200: deploymentsListSchema, ...errorResponses },
      },
    },
    async (req) => {
      const models = requireModels(ctx);
      const q = req.query;
      return {
        deployments: models.deployments.running({
          ...(q.org === undefined ? {} : { org: q.org }),
          ...(q.model === undefined ? {} : { key: q.model }),
        }),
      };
    },
  );
}
