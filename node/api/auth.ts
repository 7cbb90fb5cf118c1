/**
 * Bearer-token access control, checked in onRequest — before the body is read, so an unauthenticated
 * client cannot make the node parse 16 MiB.
 *
 * Each route declares `config.access`:
 *   public   no token (GET /healthz, GET /openapi.json)
 *   any      any valid token (node info, log, proofs, metrics)
 *   ingest   role ingest or admin (POST /v1/decisions)
 *   auditor  role auditor or admin (raw records)
 *   admin    role admin
 * No or unusable token → 401 ERR_UNAUTHORIZED with `WWW-Authenticate: Bearer`; a valid token without the
 * role → 403 ERR_FORBIDDEN. The token's public id is kept on the request (`tokenId`): the per-token rate
 * limit (rate-limit.ts), which runs after this hook, counts by it.
 *
 * The refusal is decided in onRequest but answered in preParsing — still before the body is read, but
 * after the rate limiter's onRequest hook (route-level hooks run after the app's): so a request without a
 * valid token counts against its address's budget (http.rateLimit.perIp) and one refused for its role
 * against its token's, and a client guessing tokens is slowed to that budget (429) like any other.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NodeError } from '../errors.ts';
import type { Role } from '../home/tokens.ts';
import type { ApiContext } from './context.ts';

export type Access = 'public' | 'any' | Role;

/** A refusal decided in onRequest: the error, and the `WWW-Authenticate` challenge to answer with. */
export interface Refusal {
  error: NodeError;
  challenge?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (node/api/auth.ts). Routes without it are public (only the 404 handler). */
    access?: Access;
  }
  interface FastifyRequest {
    /** The caller's role, once authenticated. */
    role?: Role;
    /** The public id of the caller's token, once authenticated (the per-token rate limit counts by it). */
    tokenId?: string;
    /** Why the request is refused (401/403), answered in preParsing once the rate limiter counted it. */
    refusal?: Refusal;
  }
}

/** True when `role` may use a route with `access`. */
export function allows(role: Role | undefined, access: Access): boolean {
  if (access === 'public') return true;
  if (role === undefined) return false;
  return access === 'any' || role === 'admin' || role === access;
}

// RFC 6750 §2.1: the scheme is case-insensitive; the token is b64token.
const BEARER_RE = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The bearer token of a request (attacker-controlled header), or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h !== 'string' || h.length > 512) return undefined;
  return BEARER_RE.exec(h)?.[1];
}

export function installAuth(app: FastifyInstance, ctx: ApiContext): void {
  app.decorateRequest('role', undefined);
  app.decorateRequest('tokenId', undefined);
  app.decorateRequest('refusal', undefined);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access ?? 'public';
    if (access === 'public') return;
    const token = bearerToken(request);
    if (token === undefined) {
      request.refusal = {
        error: new NodeError('ERR_UNAUTHORIZED', 'missing or malformed Authorization: Bearer token'),
      };
      return;
    }
    const principal = await ctx.tokens.authenticate(token);
    if (principal === undefined) {
      request.refusal = {
        error: new NodeError('ERR_UNAUTHORIZED', 'unknown token'),
        challenge: 'Bearer realm="govfed", error="invalid_token"',
      };
      return;
    }
    const { role } = principal;
    request.role = role;
    request.tokenId = principal.id;
    if (!allows(role, access)) {
      request.refusal = {
        error: new NodeError('ERR_FORBIDDEN', `this route needs role ${access}; the token has role ${role}`),
        challenge: 'Bearer realm="govfed", error="insufficient_scope"',
      };
    }
  });
  app.addHook('preParsing', async (request, reply) => {
    const refusal = request.refusal;
    if (refusal === undefined) return;
    if (refusal.challenge !== undefined) reply.header('www-authenticate', refusal.challenge);
    throw refusal.error;
  });
}
