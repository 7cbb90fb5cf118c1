/**
 * POST /v1/evaluate (role ingest) {hook, input} — ask before acting: the verdict of the node's global
 * baseline and local overlay on `input` at `hook`, without recording anything. The input is
 * attacker-controlled; the hook environment fills defaults and a rule that cannot evaluate it fails closed.
 */
import type { FastifyInstance } from 'fastify';
import type { HookName } from '../../../protocol/policy/index.ts';
import type { ApiContext } from '../context.ts';
import { requirePolicy } from '../ports/policy.ts';
import { emptyQuery, verdictSchema } from '../schemas/policy.ts';
import { errorResponses } from '../schemas/shared.ts';

export function evaluatePostRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { hook: string; input: Record<string, unknown> } }>(
    '/v1/evaluate',
    {
      config: { access: 'ingest' },
      schema: {
        summary: 'Evaluate the policy on an input',
        description:
          'The verdict of the global baseline and the local overlay for one hook. `decision` takes a decision ' +
          'record (as POST /v1/decisions does). Nothing is recorded.',
        tags: ['policy'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['hook', 'input'],
          properties: {
            hook: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,31}$', description: 'e.g. decision' },
            input: { type: 'object', description: 'the hook’s input (for decision: a decision record)' },
          },
        },
        response: { 200: verdictSchema, ...errorResponses },
      },
    },
    async (request) => requirePolicy(ctx).evaluate(request.body.hook as HookName, request.body.input),
  );
}
