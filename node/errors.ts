/**
 * Error codes of node/ and the mapping of every code — protocol/'s and node/'s — to an HTTP status and
 * a CLI exit code. docs/errors.md lists the same codes with their meaning, status and exit code; a test
 * (test/node/errors.test.ts) keeps the document and this file in step.
 *
 * The rule: a protocol/ code means "this input does not verify" — HTTP 400 when it comes out of a
 * request, CLI exit 1 (check failed) — unless PROTOCOL_OVERRIDES says otherwise (codes that mean the
 * node's own storage is broken). Node codes each have an explicit row in NODE_STATUS.
 *
 * To add a code: add it to ErrorCodes (protocol/errors.ts) or NodeErrorCodes (below); for a node code,
 * add its row to NODE_STATUS; add a row to docs/errors.md. The test names anything missing.
 *
 * CLI exit codes (cli/exit.ts): 0 ok, 1 verification/check failed, 2 usage, 3 node unreachable, 4 other.
 */
import { ErrorCodes, GovfedError } from '../protocol/errors.ts';

/** Codes thrown by node/ (home, API, daemon). */
export const NodeErrorCodes = [
  // HTTP input
  'ERR_VALIDATION',
  'ERR_INVALID_JSON',
  'ERR_UNSUPPORTED_MEDIA_TYPE',
  'ERR_BODY_TOO_LARGE',
  'ERR_RECORD_TOO_LARGE',
  'ERR_TOO_MANY_RECORDS',
  'ERR_BAD_REQUEST',
  'ERR_ROUTE_NOT_FOUND',
  'ERR_INVALID_CURSOR',
  // auth
  'ERR_UNAUTHORIZED',
  'ERR_FORBIDDEN',
  // per-client rate limits (node/api/rate-limit.ts)
  'ERR_RATE_LIMITED',
  // log state
  'ERR_NOT_FOUND',
  'ERR_BACKPRESSURE',
  'ERR_SHUTTING_DOWN',
  'ERR_INGEST_UNAVAILABLE',
  'ERR_INTERNAL',
  // the web console (node/api/console)
  'ERR_CONSOLE_NOT_BUILT',
  'ERR_TOO_MANY_STREAMS',
  // storage faults (node/log)
  'ERR_LOG_UNAVAILABLE',
  'ERR_LOG_ROLLBACK',
  'ERR_STORE_UNAVAILABLE',
  'ERR_STORE_NOT_EMPTY',
  'ERR_LEASE_LOST',
  'ERR_NOT_LEADER',
  'ERR_STATE_TOO_LARGE',
  // home directory and daemon
  'ERR_HOME_EXISTS',
  'ERR_STORE_NOT_SHARED',
  'ERR_HOME_NOT_FOUND',
  'ERR_INVALID_CONFIG',
  'ERR_INSECURE_PERMISSIONS',
  'ERR_FILE_EXISTS',
  'ERR_IDENTITY_EXISTS',
  'ERR_KEY_MISMATCH',
  'ERR_KEYS_OUTDATED',
  'ERR_ALREADY_RUNNING',
  // federation
  'ERR_NO_FEDERATION',
  'ERR_FEDERATION_EXISTS',
  'ERR_PROPOSAL_PENDING',
  'ERR_FEDERATION_STATE_MISSING',
  'ERR_WITNESS_STATE_MISSING',
  'ERR_WITNESS_STORE_CORRUPT',
  'ERR_WITNESS_STATE_PRESENT',
  'ERR_PROPOSAL_LIMIT',
  'ERR_LAST_MEMBER',
  'ERR_INVALID_APPROVAL_RULE',
  'ERR_NOT_SIGNER',
  'ERR_PROPOSAL_WITHDRAWN',
  'ERR_FEDERATION_STALE',
  'ERR_REVOCATIONS_STALE',
  'ERR_UNPROVABLE_MEMBER',
  'ERR_RETIRED_KEYS_FULL',
  'ERR_JURISDICTION_MISMATCH',
  // policy
  'ERR_NO_POLICY',
  // witness
  'ERR_NOT_WITNESSED',
  'ERR_EQUIVOCATION',
  'ERR_PEER_UNAVAILABLE',
  'ERR_BAD_PEER_RESPONSE',
  'ERR_NO_WITNESS',
  // model registry (node/registry: reading a model directory)
  'ERR_MODEL_NOT_FOUND',
  'ERR_MODEL_SPECIAL_FILE',
  'ERR_MODEL_TOO_LARGE',
  // model registry (node/registry/models.ts)
  'ERR_MODEL_EXISTS',
  'ERR_REGISTRY_FULL',
  'ERR_AMBIGUOUS_MODEL',
  // the deployment gate (node/registry/model-deploy.ts)
  'ERR_DEPLOY_REFUSED',
  'ERR_NOT_DEPLOYED',
  // promoting a shadow deployment (node/monitoring/promote.ts)
  'ERR_PROMOTE_REFUSED',
] as const;

export type NodeErrorCode = (typeof NodeErrorCodes)[number];

/** Codes the CLI (cli/exit.ts) and the web console (console/logic) use for failures that never come from the node. */
export const CliErrorCodes = [
  'ERR_USAGE',
  'ERR_UNREACHABLE',
  'ERR_BAD_RESPONSE',
  'ERR_NO_CHECKPOINT',
  'ERR_READ_FILE',
  'ERR_WRITE_FILE',
  'ERR_NOT_RUNNING',
  'ERR_STOP_TIMEOUT',
  'ERR_STOP_FAILED',
  'ERR_EXPORT_TOO_LARGE',
  'ERR_CHARTER_MISMATCH',
  'ERR_RECEIPT_MISMATCH',
] as const;

/** Thrown by node/ with one of NodeErrorCodes. */
export class NodeError extends GovfedError<NodeErrorCode> {}

export type ExitCodeNumber = 0 | 1 | 2 | 3 | 4;

export interface ErrorStatus {
  /** HTTP status when the API answers with this code; null when the API never does (it would be a 500). */
  http: number | null;
  /** The CLI's exit code when a command fails with this code. */
  exit: ExitCodeNumber;
}

/** Default for protocol/ codes: the input did not verify. */
const PROTOCOL_DEFAULT: ErrorStatus = { http: 400, exit: 1 };

/** Protocol codes that mean the node's own data is broken, not the client's. */
const PROTOCOL_OVERRIDES: Readonly<Record<string, ErrorStatus>> = {
  ERR_MISSING_HASH: { http: 500, exit: 1 },
  ERR_LOG_CORRUPT: { http: 500, exit: 1 },
  // an approval by someone who may not give it: well-formed, but not allowed
  ERR_NOT_IN_ROSTER: { http: 403, exit: 1 },
  ERR_SELF_APPROVAL: { http: 403, exit: 1 },
  ERR_MODEL_PROHIBITED: { http: 403, exit: 1 },
  ERR_POLICY_DENIED: { http: 403, exit: 1 },
  // another contract holds that version of the model's contract already: the request came too late
  ERR_CONTRACT_CONFLICT: { http: 409, exit: 4 },
};

const LOCAL: ErrorStatus = { http: null, exit: 4 };

const NODE_STATUS: Readonly<Record<NodeErrorCode | (typeof CliErrorCodes)[number], ErrorStatus>> = {
  ERR_VALIDATION: { http: 400, exit: 2 },
  ERR_INVALID_JSON: { http: 400, exit: 4 },
  ERR_UNSUPPORTED_MEDIA_TYPE: { http: 415, exit: 4 },
  ERR_BODY_TOO_LARGE: { http: 413, exit: 4 },
  ERR_RECORD_TOO_LARGE: { http: 413, exit: 4 },
  ERR_TOO_MANY_RECORDS: { http: 413, exit: 4 },
  ERR_BAD_REQUEST: { http: 400, exit: 4 },
  ERR_ROUTE_NOT_FOUND: { http: 404, exit: 4 },
  ERR_INVALID_CURSOR: { http: 400, exit: 2 },
  ERR_UNAUTHORIZED: { http: 401, exit: 4 },
  ERR_FORBIDDEN: { http: 403, exit: 4 },
  ERR_RATE_LIMITED: { http: 429, exit: 4 },
  ERR_NOT_FOUND: { http: 404, exit: 4 },
  ERR_BACKPRESSURE: { http: 503, exit: 4 },
  ERR_SHUTTING_DOWN: { http: 503, exit: 4 },
  ERR_INGEST_UNAVAILABLE: { http: 503, exit: 4 },
  ERR_CONSOLE_NOT_BUILT: { http: 503, exit: 4 },
  ERR_TOO_MANY_STREAMS: { http: 503, exit: 4 },
  ERR_INTERNAL: { http: 500, exit: 4 },
  ERR_LOG_UNAVAILABLE: { http: 503, exit: 4 },
  ERR_LOG_ROLLBACK: { http: 503, exit: 1 },
  ERR_STORE_UNAVAILABLE: { http: 503, exit: 4 },
  ERR_STORE_NOT_EMPTY: LOCAL,
  ERR_LEASE_LOST: { http: 503, exit: 4 },
  ERR_NOT_LEADER: { http: 503, exit: 4 },
  ERR_STATE_TOO_LARGE: { http: 507, exit: 4 },
  ERR_HOME_EXISTS: LOCAL,
  ERR_STORE_NOT_SHARED: LOCAL,
  ERR_HOME_NOT_FOUND: LOCAL,
  // Over HTTP only when a request needs what the configuration cannot give (federation create/join: the
  // libp2p listen address is taken).
  ERR_INVALID_CONFIG: { http: 409, exit: 4 },
  ERR_INSECURE_PERMISSIONS: LOCAL,
  ERR_FILE_EXISTS: { http: null, exit: 2 },
  ERR_IDENTITY_EXISTS: { http: 409, exit: 4 },
  ERR_KEY_MISMATCH: LOCAL,
  ERR_KEYS_OUTDATED: LOCAL,
  ERR_ALREADY_RUNNING: LOCAL,
  ERR_NO_FEDERATION: { http: 409, exit: 4 },
  ERR_FEDERATION_EXISTS: { http: 409, exit: 4 },
  ERR_PROPOSAL_PENDING: { http: 409, exit: 4 },
  ERR_LAST_MEMBER: { http: 409, exit: 4 },
  ERR_INVALID_APPROVAL_RULE: { http: 400, exit: 2 },
  ERR_NOT_SIGNER: { http: 409, exit: 4 },
  ERR_PROPOSAL_WITHDRAWN: { http: 409, exit: 4 },
  ERR_FEDERATION_STATE_MISSING: LOCAL,
  ERR_WITNESS_STATE_MISSING: LOCAL,
  ERR_WITNESS_STORE_CORRUPT: LOCAL,
  ERR_WITNESS_STATE_PRESENT: { http: null, exit: 4 },
  ERR_PROPOSAL_LIMIT: { http: 429, exit: 4 },
  // Never an error answer: GET /healthz reports it in a 200 `degraded` body (node/api/routes/healthz.ts).
  ERR_FEDERATION_STALE: LOCAL,
  // Never an error answer either: GET /healthz `degraded`; decisions under such a contract are denied.
  ERR_REVOCATIONS_STALE: LOCAL,
  ERR_UNPROVABLE_MEMBER: { http: 400, exit: 2 },
  ERR_RETIRED_KEYS_FULL: { http: 409, exit: 4 },
  ERR_JURISDICTION_MISMATCH: { http: 409, exit: 4 },
  ERR_NO_POLICY: { http: 409, exit: 4 },
  ERR_NOT_WITNESSED: { http: 409, exit: 4 },
  ERR_EQUIVOCATION: { http: 409, exit: 4 },
  ERR_PEER_UNAVAILABLE: { http: 503, exit: 4 },
  ERR_BAD_PEER_RESPONSE: { http: 502, exit: 1 },
  ERR_NO_WITNESS: { http: 409, exit: 4 },
  ERR_MODEL_NOT_FOUND: { http: 404, exit: 2 },
  ERR_MODEL_SPECIAL_FILE: { http: 400, exit: 1 },
  ERR_MODEL_TOO_LARGE: { http: 413, exit: 1 },
  ERR_MODEL_EXISTS: { http: 409, exit: 4 },
  ERR_REGISTRY_FULL: { http: 409, exit: 4 },
  ERR_AMBIGUOUS_MODEL: { http: 409, exit: 2 },
  ERR_DEPLOY_REFUSED: { http: 409, exit: 1 },
  ERR_NOT_DEPLOYED: { http: 409, exit: 4 },
  ERR_PROMOTE_REFUSED: { http: 409, exit: 1 },
  ERR_USAGE: { http: null, exit: 2 },
  ERR_UNREACHABLE: { http: null, exit: 3 },
  ERR_BAD_RESPONSE: LOCAL,
  ERR_NO_CHECKPOINT: LOCAL,
  ERR_READ_FILE: LOCAL,
  ERR_WRITE_FILE: LOCAL,
  ERR_NOT_RUNNING: LOCAL,
  ERR_STOP_TIMEOUT: LOCAL,
  ERR_STOP_FAILED: LOCAL,
  ERR_EXPORT_TOO_LARGE: { http: null, exit: 2 },
  ERR_CHARTER_MISMATCH: { http: null, exit: 1 },
  ERR_RECEIPT_MISMATCH: { http: null, exit: 1 },
};

const PROTOCOL_CODES: ReadonlySet<string> = new Set(ErrorCodes);

/** The status of a known code, or undefined for a code nobody declared. */
export function errorStatus(code: string): ErrorStatus | undefined {
  if (Object.hasOwn(NODE_STATUS, code)) return NODE_STATUS[code as keyof typeof NODE_STATUS];
  if (Object.hasOwn(PROTOCOL_OVERRIDES, code)) return PROTOCOL_OVERRIDES[code];
  if (PROTOCOL_CODES.has(code)) return PROTOCOL_DEFAULT;
  return undefined;
}

/** Every declared code: protocol/, node/, cli/. */
export function allErrorCodes(): string[] {
  return [...ErrorCodes, ...NodeErrorCodes, ...CliErrorCodes];
}

/** The HTTP status for a code; undeclared codes and codes the API never sends are 500 (message masked). */
export function httpStatusFor(code: string): number {
  return errorStatus(code)?.http ?? 500;
}

/** The CLI exit code for a code; undeclared codes exit 4. */
export function exitCodeForCode(code: string): ExitCodeNumber {
  return errorStatus(code)?.exit ?? 4;
}

/**
 * Formats ajv errors as one message: the first error, with its path (`body/0/model must be string`).
 * With allErrors off, ajv stops at the first failure; wrappers such as if/then add a second, vaguer error,
 * which we drop.
 */
export function schemaErrorFormatter(
  errors: readonly { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[],
  dataVar: string,
): Error {
  const e = errors.find((x) => x.keyword !== 'if') ?? errors[0];
  let message = 'invalid request';
  if (e !== undefined) {
    message = `${dataVar}${e.instancePath} ${e.message ?? 'is invalid'}`;
    if (e.keyword === 'additionalProperties') message += ` ("${String(e.params.additionalProperty)}")`;
  }
  return new Error(message);
}
