/** GET /v1/node — who this node is and where its log stands (any valid token). */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { formatApiAddress } from '../../home/config.ts';
import type { ApiContext } from '../context.ts';
import { errorResponses } from '../schemas/shared.ts';

/** The govfed version, from package.json. */
export const NODE_VERSION: string = JSON.parse(
  readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
).version;

const problemProps = {
  code: { type: 'string' },
  message: { type: 'string' },
  since: { type: 'string', format: 'date-time' },
} as const;

export function nodeInfoRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/node',
    {
      config: { access: 'any' },
      schema: {
        summary: 'Node identity, log origin and verifier key, log status',
        tags: ['node'],
        security: [{ bearer: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: [
              'org',
              'jurisdiction',
              'peerId',
              'origin',
              'verifierKey',
              'api',
              'listen',
              'version',
              'startedAt',
            ],
            properties: {
              org: { type: 'string' },
              jurisdiction: { type: 'string' },
              peerId: { type: 'string', description: 'libp2p peer id' },
              origin: { type: 'string', description: 'log origin (C2SP checkpoint origin line and key name)' },
              verifierKey: { type: 'string', description: 'C2SP verifier key of the log' },
              retiredLogs: {
                type: 'array',
                description:
                  'the logs this node kept under earlier log keys (keys rotate --log), oldest first; absent when none',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['origin', 'verifierKey'],
                  properties: {
                    origin: { type: 'string' },
                    verifierKey: { type: 'string', description: 'its C2SP verifier key' },
                  },
                },
              },
              api: { type: 'string', description: 'HOST:PORT the API listens on' },
              listen: { type: 'string', description: 'libp2p listen multiaddr' },
              version: { type: 'string' },
              startedAt: { type: 'string', format: 'date-time' },
              uptimeSeconds: { type: 'number' },
              process: {
                type: 'object',
                additionalProperties: false,
                required: ['role'],
                description:
                  "a log shared by several processes of the org: this process's role (the writer lease's holder, or a follower) and the leader's API when it published one",
                properties: {
                  role: { type: 'string', enum: ['leader', 'follower'] },
                  leader: { type: 'string', description: "the lease holder's API URL (a follower's view)" },
                },
              },
              log: {
                type: 'object',
                additionalProperties: false,
                required: ['size', 'checkpointSize', 'pending', 'checkpointLagMs'],
                properties: {
                  size: { type: 'integer', description: 'entries durable in the log' },
                  checkpointSize: { type: 'integer', description: 'tree size of the latest signed checkpoint' },
                  pending: { type: 'integer', description: 'entries accepted, not yet durable' },
                  checkpointLagMs: { type: 'number' },
                  writable: { type: 'boolean', description: 'the log takes appends' },
                  fault: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['code', 'message', 'since', 'fatal', 'reopenAttempts'],
                    description: 'a failed store write: reopening the store (fatal false) or stopped for good',
                    properties: {
                      ...problemProps,
                      fatal: { type: 'boolean' },
                      reopenAttempts: { type: 'integer' },
                      lastReopenError: { type: 'string' },
                    },
                  },
                  checkpointError: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['code', 'message', 'since'],
                    description: 'the last checkpoint signing failed and none succeeded since',
                    properties: problemProps,
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async () => {
      const c = ctx.home.config;
      const addr = app.server.address();
      const api =
        addr !== null && typeof addr === 'object' ? formatApiAddress({ host: addr.address, port: addr.port }) : c.api;
      const m = ctx.log.metrics();
      const h = ctx.log.health();
      return {
        org: c.org,
        jurisdiction: c.jurisdiction,
        peerId: c.peerId,
        origin: c.origin,
        verifierKey: c.verifierKey,
        ...(c.retiredLogs === undefined ? {} : { retiredLogs: c.retiredLogs }),
        api,
        listen: c.listen,
        version: NODE_VERSION,
        startedAt: ctx.startedAt.toISOString(),
        uptimeSeconds: Math.max(0, (ctx.now().getTime() - ctx.startedAt.getTime()) / 1000),
        ...processRole(ctx),
        log: {
          size: m.size,
          checkpointSize: m.checkpointSize,
          pending: m.pending,
          checkpointLagMs: m.checkpointLagMs,
          writable: h.writable,
          ...(h.fault === undefined ? {} : { fault: h.fault }),
          ...(h.checkpointError === undefined ? {} : { checkpointError: h.checkpointError }),
        },
      };
    },
  );
}

/** `process` for a shared log (node/ha roles.ts); nothing for a log with one writer. */
function processRole(ctx: ApiContext): { process?: { role: 'leader' | 'follower'; leader?: string } } {
  const h = ctx.log.health();
  if (h.role === undefined) return {};
  const leader = ctx.follower?.leader();
  return { process: { role: h.role, ...(h.role === 'follower' && leader !== undefined ? { leader } : {}) } };
}
