/**
 * POST /v1/federation/approval-rules (admin) {tier, roles, orgs?} or {tier, clear: true} — propose the
 * charter with the approval rule of a risk tier set or removed (a charter change, rule `charter`): which
 * roles must approve a model version of that tier, from how many orgs (protocol/federation/
 * approval-rules.ts). Completed at once when this node's signature meets the charter threshold; else
 * left pending. A rule that could never be met (more orgs than members) is ERR_INVALID_APPROVAL_RULE.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_RULE_ROLES, RISK_TIERS, type RiskTier, ROLE_NAME_PATTERN } from '../../../protocol/federation/index.ts';
import type { ApiContext } from '../context.ts';
import { operationResult, requireFederation } from '../ports/federation.ts';
import { federationAdminOptions } from '../schemas/federation.ts';

interface Body {
  tier: RiskTier;
  roles?: string[];
  orgs?: number;
  clear?: true;
}

export function federationApprovalRulesRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: Body }>(
    '/v1/federation/approval-rules',
    federationAdminOptions({
      summary: "Propose a risk tier's approval rule, or its removal (a charter change)",
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['tier'],
        properties: {
          tier: { type: 'string', enum: [...RISK_TIERS] },
          roles: {
            type: 'array',
            minItems: 1,
            maxItems: MAX_RULE_ROLES,
            items: { type: 'string', pattern: ROLE_NAME_PATTERN },
            description: 'one distinct approver per entry (a role listed twice needs two people)',
          },
          orgs: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_RULE_ROLES,
            description: 'approvers from at least this many orgs (default 1)',
          },
          clear: { type: 'boolean', const: true, description: 'remove the tier’s rule instead' },
        },
        oneOf: [
          { required: ['roles'], not: { required: ['clear'] } },
          { required: ['clear'], not: { anyOf: [{ required: ['roles'] }, { required: ['orgs'] }] } },
        ],
      },
    }),
    async (request) => {
      const port = requireFederation(ctx);
      const { tier, roles, orgs, clear } = request.body;
      const rule = clear === true || roles === undefined ? null : { roles, orgs: orgs ?? 1 };
      return operationResult(port, await port.setApprovalRule(tier, rule));
    },
  );
}
