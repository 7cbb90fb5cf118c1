/**
 * node/api — the node's HTTP API (fastify), schema-first.
 *
 * buildApp({log, home, tokens, metrics?}) returns the instance without listening; node/daemon.ts
 * listens. Routes live one per file under routes/ and declare JSON schemas for params, query, body and
 * every response, plus `config.access` (public | any | ingest | auditor | admin) enforced by auth.ts.
 * Errors are `{"error": {"code", "message"}}` with the status of node/errors.ts; bad input is always a
 * 4xx, 5xx messages are masked. Metrics live in a per-node prom-client Registry (metrics.ts); the
 * OpenAPI document is served at /openapi.json and written to docs/openapi.json by scripts/openapi.ts.
 */

export { type BuildAppOptions, buildApp, DEFAULT_BODY_LIMIT } from './app.ts';
export { type Access, allows, bearerToken } from './auth.ts';
export type { ApiContext, EventSink, LogPort } from './context.ts';
export { describeError, type ErrorBody, errorBody } from './errors.ts';
export { NodeMetrics, type NodeMetricsOptions } from './metrics.ts';
export { openapiDocument, openapiJson } from './openapi.ts';
export { MAX_DECISIONS_BODY_BYTES } from './routes/decisions-post.ts';
export { NODE_VERSION } from './routes/node-info.ts';
export { MAX_RECORDS_PER_REQUEST } from './schemas/shared.ts';
