/**
 * The model registry (node/registry/models.ts; docs/registry.md):
 *
 *   POST /v1/models                                  (any token)  {envelope, contract?}: a registration
 *                                                    signed by a person of this org's roster, with its
 *                                                    contract's version 1 → {org, name, version, digest,
 *                                                    risk, status, logIndex, id, contract?}
 *   GET  /v1/models?org=&name=&status=&tier=         (auditor)    every member's versions this node holds
 *   GET  /v1/models/{name}/{version}?org=            (auditor)    one version: card, risk, votes, status,
 *                                                    monitoring flags (docs/monitoring.md)
 *   GET  /v1/models/{name}/{version}/monitoring?org= (auditor)    the latest monitoring window of every
 *                                                    org × monitor, signed, and the flags
 *   POST /v1/models/{name}/{version}/approvals?org=  (any token)  {envelope}: an approval or rejection
 *                                                    signed by a person of a member's roster
 *   POST /v1/models/{name}/{version}/contracts       (any token)  {envelope}: the next version of this
 *                                                    org's model's contract (docs/contracts.md)
 *   POST /v1/models/{name}/{version}/revocations?org= (any token) {envelope}: a kill-switch record
 *                                                    (suspend, revoke, reinstate) of a risk officer
 *
 * Posting needs a token of this node, but what decides is the person's signature: the node checks it
 * against the rosters, the charter's approval rules and the policy baseline before it logs, stores and
 * gossips the record. Private keys never reach the node: `govfed model register|approve` sign locally.
 */
import type { FastifyInstance } from 'fastify';
import type { RiskTier } from '../../../protocol/federation/approval-rules.ts';
import { flagView, monitoringView } from '../../monitoring/views.ts';
import { modelDetail, modelSummary } from '../../registry/model-views.ts';
import type { ApiContext } from '../context.ts';
import { requireModels } from '../ports/models.ts';
import { attachedSchema, MAX_CONTRACT_BODY } from '../schemas/contracts.ts';
import { emptyQuery } from '../schemas/federation.ts';
import { MAX_REVOCATION_BODY, revokedSchema } from '../schemas/kill-switch.ts';
import {
  approvedSchema,
  envelopeBody,
  listQuery,
  MAX_APPROVE_BODY,
  MAX_REGISTER_BODY,
  modelDetailSchema,
  modelListSchema,
  modelParams,
  orgQuery,
  registerBody,
  registeredSchema,
} from '../schemas/models.ts';
import { monitoringSchema } from '../schemas/monitoring.ts';
import { errorResponses } from '../schemas/shared.ts';

type Params = { name: string; version: string };

export function modelsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { envelope: unknown; contract?: unknown } }>(
    '/v1/models',
    {
      config: { access: 'any' as const },
      bodyLimit: MAX_REGISTER_BODY + MAX_CONTRACT_BODY,
      schema: {
        summary: 'Register a model version (a registration signed by a person of this org)',
        tags: ['registry'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        body: registerBody,
        response: { 200: registeredSchema, ...errorResponses },
      },
    },
    async (req) => {
      const models = requireModels(ctx);
      const { held, logIndex, contract } = await models.register(req.body.envelope, req.body.contract);
      const p = held.registration.predicate;
      return {
        ...p.model,
        digest: held.digest,
        risk: p.risk,
        status: models.book.view(held).status,
        logIndex,
        id: held.id,
        ...(contract === undefined
          ? {}
          : {
              contract: {
                version: contract.contract.version,
                id: `sha256:${contract.contract.id}`,
                logIndex: contract.logIndex,
              },
            }),
      };
    },
  );
  app.get<{ Querystring: { org?: string; name?: string; status?: string; tier?: RiskTier } }>(
    '/v1/models',
    {
      config: { access: 'auditor' as const },
      schema: {
        summary: "Every member's model versions as this node holds them",
        tags: ['registry'],
        security: [{ bearer: [] }],
        querystring: listQuery,
        response: { 200: modelListSchema, ...errorResponses },
      },
    },
    async (req) => {
      const models = requireModels(ctx);
      const q = req.query;
      const list = models.book
        .all()
        .filter((h) => q.org === undefined || h.model.org === q.org)
        .filter((h) => q.name === undefined || h.model.name === q.name)
        .map((h) => modelSummary(models.book, h))
        .filter((m) => q.status === undefined || m.status === q.status)
        .filter((m) => q.tier === undefined || m.risk.tier === q.tier)
        .sort((a, b) => (a.registeredAt < b.registeredAt ? -1 : a.registeredAt > b.registeredAt ? 1 : 0));
      return { models: list };
    },
  );
  app.get<{ Params: Params; Querystring: { org?: string } }>(
    '/v1/models/:name/:version',
    {
      config: { access: 'auditor' as const },
      schema: {
        summary: 'One model version: card, risk, approvals and status',
        tags: ['registry'],
        security: [{ bearer: [] }],
        params: modelParams,
        querystring: orgQuery,
        response: { 200: modelDetailSchema, ...errorResponses },
      },
    },
    async (req) => {
      const models = requireModels(ctx);
      const held = models.find(req.params.name, req.params.version, req.query.org);
      const detail = modelDetail(models.book, held, models.rule(held.registration.predicate.risk.tier));
      const flags = ctx.monitoring?.view(held.key).flags ?? [];
      return { ...detail, monitoring: { flags: flags.map((h) => flagView(held, h)) } };
    },
  );
  app.get<{ Params: Params; Querystring: { org?: string } }>(
    '/v1/models/:name/:version/monitoring',
    {
      config: { access: 'auditor' as const },
      schema: {
        summary: 'The latest monitoring window of every org and monitor of a model version, and its flags',
        tags: ['registry'],
        security: [{ bearer: [] }],
        params: modelParams,
        querystring: orgQuery,
        response: { 200: monitoringSchema, ...errorResponses },
      },
    },
    async (req) => {
      const models = requireModels(ctx);
      const held = models.find(req.params.name, req.params.version, req.query.org);
      return monitoringView(held, ctx.monitoring?.view(held.key) ?? { flags: [], windows: [] });
    },
  );
  app.post<{ Params: Params; Querystring: { org?: string }; Body: { envelope: unknown } }>(
    '/v1/models/:name/:version/approvals',
    {
      config: { access: 'any' as const },
      bodyLimit: MAX_APPROVE_BODY,
      schema: {
        summary: 'Approve or reject a model version (an approval signed by a person of a member org)',
        tags: ['registry'],
        security: [{ bearer: [] }],
        params: modelParams,
        querystring: orgQuery,
        body: envelopeBody,
        response: { 200: approvedSchema, ...errorResponses },
      },
    },
    async (req) => {
      const models = requireModels(ctx);
      const target = models.find(req.params.name, req.params.version, req.query.org);
      const { held, logIndex, approval } = await models.approve(target.model, req.body.envelope);
      const summary = modelSummary(models.book, held);
      return {
        id: approval.id,
        model: { ...held.model, digest: held.digest },
        decision: approval.predicate.decision,
        status: summary.status,
        logIndex,
        approvals: summary.approvals,
      };
    },
  );
  app.post<{ Params: Params; Body: { envelope: unknown } }>(
    '/v1/models/:name/:version/contracts',
    {
      config: { access: 'any' as const },
      bodyLimit: MAX_CONTRACT_BODY,
      schema: {
        summary: "Attach the next version of this org's model's contract (signed by a person of this org)",
        tags: ['registry'],
        security: [{ bearer: [] }],
        params: modelParams,
        querystring: emptyQuery,
        body: envelopeBody,
        response: { 200: attachedSchema, ...errorResponses },
      },
    },
    async (req) => {
      const models = requireModels(ctx);
      const target = models.find(req.params.name, req.params.version);
      const { held, logIndex, contract } = await models.attachContract(target.model, req.body.envelope);
      return {
        model: { ...held.model, digest: held.digest },
        version: contract.version,
        id: `sha256:${contract.id}`,
        logIndex,
        status: models.book.view(held).status,
      };
    },
  );
  app.post<{ Params: Params; Querystring: { org?: string }; Body: { envelope: unknown } }>(
    '/v1/models/:name/:version/revocations',
    {
      config: { access: 'any' as const },
      bodyLimit: MAX_REVOCATION_BODY,
      schema: {
        summary: 'Suspend, revoke or reinstate a model version (a record signed by a risk officer of a member)',
        tags: ['registry'],
        security: [{ bearer: [] }],
        params: modelParams,
        querystring: orgQuery,
        body: envelopeBody,
        response: { 200: revokedSchema, ...errorResponses },
      },
    },
    async (req) => {
      const models = requireModels(ctx);
      const target = models.find(req.params.name, req.params.version, req.query.org);
      const { held, logIndex, revocation } = await models.revoke(target.model, req.body.envelope);
      const view = models.book.view(held);
      return {
        id: revocation.id,
        model: { ...held.model, digest: held.digest },
        action: revocation.predicate.action,
        kill: view.kill,
        status: view.status,
        logIndex,
      };
    },
  );
}
