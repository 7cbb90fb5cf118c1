/**
 * buildApp — the HTTP API as a fastify instance, not yet listening (node/daemon.ts calls listen; tests
 * use app.inject()).
 *
 * Schema-first: every route declares params, query, body and response schemas; ajv runs without
 * coercion, defaults or removal of unknown fields, so what is not declared is a 400. Access control is
 * one onRequest hook (auth.ts), errors go through one handler (errors.ts), every route is its own file
 * under routes/.
 *
 * JSON bodies are strict (json-body.ts): duplicate keys, numbers a double cannot hold exactly and bidi
 * controls in keys are 400s, so what is stored is what the caller sent. The server's timeouts and
 * connection cap (node/home/http-limits.ts, config.json `http`) hold slow clients off, per-client rate
 * limits (rate-limit.ts, `http.rateLimit`) greedy ones; a request refused before its body was read
 * (401, 403, 404, 413, 415, 429) is answered with `Connection: close` and its body
 * is never read (errors.ts).
 */
import { Socket } from 'node:net';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { NodeError, schemaErrorFormatter } from '../errors.ts';
import { type HttpConfig, resolveHttpLimits } from '../home/http-limits.ts';
import { resolveRateLimits } from '../home/rate-limit-config.ts';
import { installAuth } from './auth.ts';
import { type ConsoleAssets, loadConsoleAssets } from './console/assets.ts';
import type { ApiContext, EventSink, LogPort } from './context.ts';
import { errorBody, installErrorHandlers, installNotFoundHandler } from './errors.ts';
import { installFollowerGuard } from './follower.ts';
import { installStrictJson } from './json-body.ts';
import { LiveFeed } from './live.ts';
import { NodeMetrics } from './metrics.ts';
import type { FederationPort, FreshnessPort } from './ports/federation.ts';
import type { ModelsPort } from './ports/models.ts';
import type { MonitoringPort } from './ports/monitoring.ts';
import type { PolicyPort } from './ports/policy.ts';
import type { RegistryPort } from './ports/registry.ts';
import type { ReportPort } from './ports/report.ts';
import type { WitnessPort } from './ports/witness.ts';
import { pooledRandom } from './random.ts';
import { declareRateLimitedResponse, installRateLimit, notFoundLimit } from './rate-limit.ts';
import { adminFsckRoute } from './routes/admin-fsck.ts';
import { checkpointGetRoute } from './routes/checkpoint-get.ts';
import { checkpointPostRoute } from './routes/checkpoint-post.ts';
import { checkpointsListRoute } from './routes/checkpoints-list.ts';
import { consoleRoutes } from './routes/console.ts';
import { decisionsGetRoute } from './routes/decisions-get.ts';
import { decisionsListRoute } from './routes/decisions-list.ts';
import { decisionsPostRoute } from './routes/decisions-post.ts';
import { decisionsProofsRoute } from './routes/decisions-proofs.ts';
import { deploymentsRoutes } from './routes/deployments.ts';
import { evaluatePostRoute } from './routes/evaluate-post.ts';
import { eventsStreamRoute } from './routes/events-stream.ts';
import { federationApprovalRulesRoute } from './routes/federation-approval-rules.ts';
import { federationChartersRoute } from './routes/federation-charters.ts';
import { federationCreateRoute } from './routes/federation-create.ts';
import { federationGetRoute } from './routes/federation-get.ts';
import { federationInviteRoute } from './routes/federation-invite.ts';
import { federationJoinRoute } from './routes/federation-join.ts';
import { federationLeaveRoute } from './routes/federation-leave.ts';
import { federationRemoveRoute } from './routes/federation-remove.ts';
import { federationSignRoute } from './routes/federation-sign.ts';
import { federationThresholdsRoute } from './routes/federation-thresholds.ts';
import { federationWithdrawRoute } from './routes/federation-withdraw.ts';
import { healthzRoute } from './routes/healthz.ts';
import { identitiesRoutes } from './routes/identities.ts';
import { keysRotateRoute } from './routes/keys-rotate.ts';
import { logEntryRoute } from './routes/log-entry.ts';
import { logLookupRoute } from './routes/log-lookup.ts';
import { metricsRoute } from './routes/metrics.ts';
import { modelsRoutes } from './routes/models.ts';
import { monitoringWindowsRoute } from './routes/monitoring-windows.ts';
import { NODE_VERSION, nodeInfoRoute } from './routes/node-info.ts';
import { openapiRoute } from './routes/openapi.ts';
import { policyCheckRoute } from './routes/policy-check.ts';
import { policyGetRoute } from './routes/policy-get.ts';
import { policyLocalGetRoute } from './routes/policy-local-get.ts';
import { policyLocalPutRoute } from './routes/policy-local-put.ts';
import { policyProposalsPostRoute } from './routes/policy-proposals-post.ts';
import { policySignRoute } from './routes/policy-sign.ts';
import { policyStatusRoute } from './routes/policy-status.ts';
import { policyVersionGetRoute } from './routes/policy-version-get.ts';
import { proofsConsistencyRoute } from './routes/proofs-consistency.ts';
import { proofsCrossOrgConsistencyRoute } from './routes/proofs-crossorg-consistency.ts';
import { proofsCrossOrgInclusionRoute } from './routes/proofs-crossorg-inclusion.ts';
import { proofsCrossOrgLookupRoute } from './routes/proofs-crossorg-lookup.ts';
import { proofsInclusionRoute } from './routes/proofs-inclusion.ts';
import { reportsRoutes } from './routes/reports.ts';
import { tilesGetRoute } from './routes/tiles-get.ts';
import { tlogCheckpointRoute } from './routes/tlog-checkpoint.ts';
import { tokensPostRoute } from './routes/tokens-post.ts';
import { witnessAddCheckpointRoute } from './routes/witness-add-checkpoint.ts';
import { witnessLogsRoutes } from './routes/witness-logs.ts';
import { sharedSchemas } from './schemas/shared.ts';

/** Default body limit for routes that do not set their own. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export interface BuildAppOptions {
  log: LogPort;
  home: ApiContext['home'];
  tokens: ApiContext['tokens'];
  /** Default: a fresh NodeMetrics reading its log gauges from `log.metrics()`. */
  metrics?: NodeMetrics;
  startedAt?: Date;
  /** Where operator events go (default: nowhere). */
  events?: EventSink;
  now?: () => Date;
  random?: (n: number) => Uint8Array;
  /** Ingest worker threads (node/decisions IngestPool); without them POST /v1/decisions seals on the main thread. */
  ingest?: ApiContext['ingest'];
  /** The federation service (node/federation); without it the /v1/federation routes answer 409. */
  federation?: FederationPort;
  /** Charter freshness (node/federation's FreshnessModule): a stale node says so in GET /healthz. */
  freshness?: FreshnessPort;
  /** The witness service (node/witness); without it the witness and cross-org proof routes answer 409. */
  witness?: WitnessPort;
  /** The policy service (node/policy); without it decisions are not evaluated and /v1/policy answers 409. */
  policy?: PolicyPort;
  /** The model registry's rosters (node/registry); without it /v1/identities answers 409. */
  registry?: RegistryPort;
  /** The model registry's registrations and approvals; without it /v1/models answers 409. */
  models?: ModelsPort;
  /** Monitoring (node/monitoring); without it decisions are not monitored and no flags are shown. */
  monitoring?: MonitoringPort;
  /** Compliance reports (node/report); without them /v1/reports answers 409. */
  report?: ReportPort;
  /**
   * Timeouts, the connection cap, per-client rate limits and trusted proxies (default: config.json `http`
   * of `home`, else DEFAULT_HTTP_LIMITS and DEFAULT_RATE_LIMITS, no trusted proxy).
   */
  http?: HttpConfig;
  /** The console's live-update feed (GET /v1/events); the daemon tees its events into it. Default: a fresh one. */
  live?: LiveFeed;
  /** The web console's files (default: read from console/dist). */
  consoleAssets?: ConsoleAssets;
  /** The process's role in a shared log (follower.ts); absent: the log's only writer. */
  follower?: ApiContext['follower'];
  /** The logs of earlier log keys held open (node/home RetiredLogs): decisions and fsck of a retired origin. */
  retiredLogs?: ApiContext['retiredLogs'];
}

const ROUTES = [
  healthzRoute,
  nodeInfoRoute,
  decisionsPostRoute,
  decisionsGetRoute,
  decisionsListRoute,
  decisionsProofsRoute,
  checkpointGetRoute,
  checkpointPostRoute,
  checkpointsListRoute,
  logEntryRoute,
  tlogCheckpointRoute,
  tilesGetRoute,
  proofsInclusionRoute,
  proofsConsistencyRoute,
  logLookupRoute,
  proofsCrossOrgInclusionRoute,
  proofsCrossOrgLookupRoute,
  proofsCrossOrgConsistencyRoute,
  witnessAddCheckpointRoute,
  witnessLogsRoutes,
  adminFsckRoute,
  tokensPostRoute,
  federationGetRoute,
  federationChartersRoute,
  federationCreateRoute,
  federationThresholdsRoute,
  federationApprovalRulesRoute,
  federationInviteRoute,
  federationSignRoute,
  federationRemoveRoute,
  federationLeaveRoute,
  federationWithdrawRoute,
  keysRotateRoute,
  identitiesRoutes,
  modelsRoutes,
  monitoringWindowsRoute,
  deploymentsRoutes,
  reportsRoutes,
  federationJoinRoute,
  evaluatePostRoute,
  policyGetRoute,
  policyStatusRoute,
  policyVersionGetRoute,
  policyProposalsPostRoute,
  policySignRoute,
  policyCheckRoute,
  policyLocalGetRoute,
  policyLocalPutRoute,
  metricsRoute,
  openapiRoute,
];

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const metrics = opts.metrics ?? new NodeMetrics();
  metrics.observeLog(() => opts.log.metrics());
  const ctx: ApiContext = {
    log: opts.log,
    home: opts.home,
    tokens: opts.tokens,
    metrics,
    startedAt: opts.startedAt ?? new Date(),
    events: opts.events ?? (() => {}),
    now: opts.now ?? (() => new Date()),
    random: opts.random ?? pooledRandom(),
    live: opts.live ?? new LiveFeed(),
    ...(opts.federation === undefined ? {} : { federation: opts.federation }),
    ...(opts.witness === undefined ? {} : { witness: opts.witness }),
    ...(opts.freshness === undefined ? {} : { freshness: opts.freshness }),
    ...(opts.policy === undefined ? {} : { policy: opts.policy }),
    ...(opts.registry === undefined ? {} : { registry: opts.registry }),
    ...(opts.models === undefined ? {} : { models: opts.models }),
    ...(opts.monitoring === undefined ? {} : { monitoring: opts.monitoring }),
    ...(opts.report === undefined ? {} : { report: opts.report }),
    ...(opts.ingest === undefined ? {} : { ingest: opts.ingest }),
    ...(opts.follower === undefined ? {} : { follower: opts.follower }),
    ...(opts.retiredLogs === undefined ? {} : { retiredLogs: opts.retiredLogs }),
  };

  const http = opts.http ?? opts.home.config.http;
  const limits = resolveHttpLimits(http);
  const app = Fastify({
    logger: false,
    // Whose X-Forwarded-For names the client (node/home/trust-proxy.ts); none by default.
    trustProxy: http?.trustProxy ?? false,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node enforces the two timeouts above on this tick (default 30 s, far too coarse for short limits).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    bodyLimit: DEFAULT_BODY_LIMIT,
    return503OnClosing: false, // answered by the shutdown hook below, in our error format
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    schemaErrorFormatter,
    routerOptions: { maxParamLength: 100 },
    // Malformed URLs (bad %-encoding, over-long params) never reach a route.
    frameworkErrors: (err, _request, reply) => {
      (reply as FastifyReply).code(400).send(errorBody('ERR_BAD_REQUEST', err.message));
    },
  });

  app.server.maxConnections = limits.maxConnections;
  // The idle limit (connectionTimeout) is for connections with nothing to do, not for one whose request
  // is being handled: without this, an answer slower than it (a CPU-starved node making an invite) was
  // dropped with the socket, unanswered. Node sets the keep-alive limit again once the answer is sent.
  app.addHook('onRequest', async (request) => {
    const socket = request.raw.socket;
    if (socket instanceof Socket) socket.setTimeout(0); // not app.inject's stand-in
  });
  // JSON is the only body format; text/plain bodies are 415 rather than strings that fail the schema.
  app.removeContentTypeParser(['text/plain']);
  installStrictJson(app);
  for (const s of sharedSchemas) app.addSchema(s);
  installErrorHandlers(app, ctx);
  // While closing, requests on still-open keep-alive connections get 503 and the connection is closed.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    throw new NodeError('ERR_SHUTTING_DOWN', 'the node is shutting down');
  });
  installAuth(app, ctx);
  if (ctx.follower !== undefined) installFollowerGuard(app, ctx.follower);
  // After auth (the per-token budget needs the token's id), before the routes (the plugin hooks each one).
  await installRateLimit(app, resolveRateLimits(http?.rateLimit), metrics, { now: () => ctx.now().getTime() });
  installNotFoundHandler(app, notFoundLimit(app));
  declareRateLimitedResponse(app);
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'govfed node API',
        version: NODE_VERSION,
        description:
          'One govfed node: decision ingest into a verifiable, append-only audit log (RFC 6962 Merkle tree, ' +
          'C2SP checkpoints), proofs, and node status. Send `Authorization: Bearer <token>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  app.addHook('onRoute', requireSchemas);
  for (const route of ROUTES) route(app, ctx);
  eventsStreamRoute(app, ctx);
  consoleRoutes(app, opts.consoleAssets ?? loadConsoleAssets());
  return app;
}

/**
 * Schema-first, enforced: a route without schemas for its query, path params, body (POST) and
 * responses (200, 4xx, 5xx) cannot be registered.
 */
export function requireSchemas(route: {
  method: string | string[];
  url: string;
  schema?: Record<string, unknown>;
}): void {
  const s = route.schema ?? {};
  const response = s.response as Record<string, unknown> | undefined;
  const missing: string[] = [];
  if (s.querystring === undefined) missing.push('querystring');
  if (route.url.includes(':') && s.params === undefined) missing.push('params');
  if ([route.method].flat().includes('POST') && s.body === undefined) missing.push('body');
  for (const status of ['200', '4xx', '5xx']) if (response?.[status] === undefined) missing.push(`response ${status}`);
  if (missing.length > 0) {
    throw new Error(`route ${String(route.method)} ${route.url} has no schema for: ${missing.join(', ')}`);
  }
}
