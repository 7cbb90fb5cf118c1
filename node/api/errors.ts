/**
 * One error handler for the whole API: every failure becomes `{"error": {"code", "message"}}` with the
 * status from node/errors.ts. Fastify's own rejections (bad JSON, wrong content type, oversize body,
 * schema validation) get govfed codes. 5xx messages are masked — the client sees "internal error", the
 * operator's log gets the real one — so a storage or programming error never leaks details.
 *
 * Every 5xx is an `http:error` event with its code and real message. Only an unexpected failure — a 500,
 * or an error without a govfed code (a LevelDB I/O error) — carries its stack: a typed refusal such as
 * 503 ERR_SHUTTING_DOWN or ERR_BACKPRESSURE is the node working as designed, not a bug to trace.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { isGovfedError } from '../../protocol/errors.ts';
import { httpStatusFor } from '../errors.ts';
import type { ApiContext } from './context.ts';
import { validationMessage } from './validation-message.ts';

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** What to do about a body whose Content-Type a route does not take (fastify says only "Unsupported Media Type"). */
export const UNSUPPORTED_MEDIA_TYPE_MESSAGE =
  'missing or unsupported Content-Type: send the body as application/json (POST /v1/witness/add-checkpoint takes text/plain, c2sp.org/tlog-witness)';

/** Fastify error codes for a body that is not JSON. */
const INVALID_JSON = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/** Status and govfed code for a client error raised by fastify itself (not by our code). */
function fastifyClientError(err: FastifyError): { status: number; code: string } | undefined {
  if (err.validation || err.code === 'FST_ERR_VALIDATION') return { status: 400, code: 'ERR_VALIDATION' };
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE' };
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: 'ERR_BODY_TOO_LARGE' };
  if (INVALID_JSON.has(err.code) || (err instanceof SyntaxError && err.statusCode === 400)) {
    return { status: 400, code: 'ERR_INVALID_JSON' };
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, code: 'ERR_BAD_REQUEST' };
  }
  return undefined;
}

/**
 * 5xx codes whose message is shown to the client: ERR_NOT_LEADER names the process of the org that holds
 * the writer lease (where to send the request), nothing else.
 */
const UNMASKED: ReadonlySet<string> = new Set(['ERR_NOT_LEADER']);

/** The status, code and client-visible message for any error. */
export function describeError(err: unknown): { status: number; code: string; message: string } {
  if (isGovfedError(err)) {
    const status = httpStatusFor(err.code);
    return status >= 500 && !UNMASKED.has(err.code)
      ? { status, code: status === 500 ? 'ERR_INTERNAL' : err.code, message: maskedMessage(status) }
      : { status, code: err.code, message: err.message };
  }
  if (isStorageError(err)) return { status: 503, code: 'ERR_LOG_UNAVAILABLE', message: maskedMessage(503) };
  const known = fastifyClientError(err as FastifyError);
  if (known?.code === 'ERR_UNSUPPORTED_MEDIA_TYPE') return { ...known, message: UNSUPPORTED_MEDIA_TYPE_MESSAGE };
  if (known?.code === 'ERR_VALIDATION') return { ...known, message: validationMessage(err as FastifyError) };
  if (known) return { ...known, message: (err as Error).message };
  return { status: 500, code: 'ERR_INTERNAL', message: maskedMessage(500) };
}

/**
 * An error of the LevelDB layer (abstract-level's LEVEL_* codes: an I/O error, a closed or reopening
 * store): the node's storage, not the client — 503 with Retry-After, never a 500.
 */
function isStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('LEVEL_');
}

function maskedMessage(status: number): string {
  return status === 503 ? 'service unavailable, retry later' : 'internal error';
}

/** How long a connection refused with unread body stays half-closed so the client can read the reply. */
export const LINGER_MS = 2000;

/**
 * A request refused before its body was read in full (401/403 from onRequest, 413 on Content-Length, 415,
 * 404): answer with `Connection: close` and never read the rest of the body. Node would otherwise read
 * and discard it to keep the connection alive (an unauthenticated client could make the node read 1 GB),
 * and closing a socket with unread data at once resets it (RST), which can destroy the reply before the
 * client reads it. So, once the reply is written: stop reading, send FIN, and destroy the socket after
 * LINGER_MS (or when the client closes first). The client's unread bytes stay in the kernel's buffers.
 */
export function closeIfBodyUnread(request: FastifyRequest, reply: FastifyReply): void {
  if (request.raw.complete) return;
  reply.header('connection', 'close');
  const socket = request.raw.socket;
  if (socket === null || socket.destroyed) return;
  // Node ends a `Connection: close` response with socket.destroySoon(), right after it has resumed the
  // request to discard its body; this replaces both for this one socket.
  socket.destroySoon = () => {
    socket.resume = () => socket;
    socket.pause();
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}

export function installErrorHandlers(app: FastifyInstance, ctx: ApiContext): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, code, message } = describeError(err);
    closeIfBodyUnread(request, reply);
    if (isGovfedError(err, 'ERR_BACKPRESSURE')) {
      ctx.metrics.backpressureRejections.inc();
      reply.header('retry-after', '1');
    } else if (status === 503) {
      reply.header('retry-after', '1');
    }
    if (status >= 500) {
      const expected = isGovfedError(err) && status !== 500;
      ctx.events('http:error', {
        method: request.method,
        route: request.routeOptions.url,
        status,
        code: isGovfedError(err) ? err.code : (err as FastifyError)?.code,
        error: err instanceof Error ? err.message : String(err),
        ...(expected || !(err instanceof Error) ? {} : { stack: err.stack }),
      });
    }
    if (status === 401 && !reply.hasHeader('www-authenticate'))
      reply.header('www-authenticate', 'Bearer realm="govfed"');
    reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message));
  });
}

/**
 * 404 ERR_ROUTE_NOT_FOUND for a request no route takes. `limit` is the rate limiter's hook (rate-limit.ts
 * notFoundLimit): an unknown route counts against the client's address like the routes without a token,
 * so a scanner is slowed as they are.
 */
export function installNotFoundHandler(app: FastifyInstance, limit?: onRequestHookHandler): void {
  // fastify runs every lifecycle hook named in these options (lib/four-oh-four.js), though its types name
  // only preValidation and preHandler; onRequest counts the request before its body is read.
  // test/node/api/rate-limit.test.ts asserts the 429.
  const hooks = (limit === undefined ? {} : { onRequest: limit }) as Parameters<typeof app.setNotFoundHandler>[0];
  app.setNotFoundHandler(hooks, (request, reply) => {
    const what = `${request.method} ${request.url}`.slice(0, 200);
    closeIfBodyUnread(request, reply);
    reply.code(404).send(errorBody('ERR_ROUTE_NOT_FOUND', `no route ${what}`));
  });
}
