/**
 * The API of a follower of a shared log (several govfed processes of one org on one PostgreSQL database;
 * node/log follower.ts): it answers what every process of the org answers the same — decisions
 * (recorded here: sequenced in the org's database; searched and proven from the integrated tree), the
 * log's entries, checkpoints, tiles and proofs, health, metrics, the node's identity and the live feed —
 * and refuses everything else with ERR_NOT_LEADER (503, Retry-After), naming the lease holder's API when
 * it published one: the federation, policy, registry, witness, reports, tokens and the console belong
 * to the process that runs the org's federation modules. POST /v1/decisions is refused the same way
 * until the follower has read the lease holder's enforcement view (node/ha follower-enforcement.ts):
 * a decision is never taken without the org's rules.
 *
 * One onRequest hook, after authentication (a caller without a token gets 401, not a redirection).
 */
import type { FastifyInstance } from 'fastify';
import { NodeError } from '../errors.ts';
import type { FollowerPort } from '../ha/roles.ts';

export type { FollowerPort } from '../ha/roles.ts';

/** Routes a follower serves (method and fastify route pattern). */
export const FOLLOWER_ROUTES: ReadonlySet<string> = new Set([
  'POST /v1/decisions',
  'GET /v1/decisions',
  'GET /v1/decisions/:index',
  'GET /v1/decisions/proofs',
  'GET /v1/log/checkpoint',
  'GET /v1/log/checkpoints',
  'GET /v1/log/entries/:index',
  'GET /v1/log/lookup',
  'GET /v1/log/proofs/consistency',
  'GET /v1/log/proofs/inclusion',
  'GET /checkpoint',
  'GET /tile/*',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /openapi.json',
  'GET /v1/node',
  'GET /v1/events',
]);

function where(port: FollowerPort): string {
  const url = port.leader();
  return url === undefined ? 'the process that holds the lease' : `the lease holder at ${url}`;
}

export function installFollowerGuard(app: FastifyInstance, port: FollowerPort): void {
  app.addHook('onRequest', async (request) => {
    if (!port.following() || request.refusal !== undefined) return; // a 401/403 is answered as such (auth.ts)
    const route = `${request.method === 'HEAD' ? 'GET' : request.method} ${request.routeOptions.url ?? ''}`;
    if (!FOLLOWER_ROUTES.has(route)) {
      throw new NodeError(
        'ERR_NOT_LEADER',
        `this process follows its org's node (another process holds the writer lease): send ${request.method} ${request.url} to ${where(port)}`,
      );
    }
    if (route === 'POST /v1/decisions' && !port.ready()) {
      throw new NodeError(
        'ERR_NOT_LEADER',
        `this process follows its org's node and has not read the org's rules yet: retry, or send decisions to ${where(port)}`,
      );
    }
  });
}
