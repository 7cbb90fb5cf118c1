/**
 * A small HTTP client for the node's API (docs/openapi.json), used by the CLI commands.
 *
 * Failure mapping: a connection that cannot be made (refused, reset, timed out, DNS) is an
 * UnreachableError (exit 3); an HTTP error status is an ApiError carrying the node's
 * `{error: {code, message}}` (exit 4); 429 ERR_RATE_LIMITED is retried after its Retry-After
 * (rate-limited.ts). Everything the node returns is treated as untrusted input:
 * bodies are read with a size cap and JSON shapes are checked before use; proofs are verified by the
 * caller with protocol/ before anything is printed as verified.
 */
import type { HomeFsckReport } from '../node/home/fsck-retired.ts';
import type { FsckReport } from '../node/log/index.ts';
import type { Verdict } from '../protocol/policy/index.ts';
import { ApiError } from './api-error.ts';
import { CliError, ExitCode, UnreachableError } from './exit.ts';
import { sendWithRetry } from './rate-limited.ts';

export { ApiError };

export interface ApiTarget {
  /** e.g. `http://127.0.0.1:7370` (no trailing slash). */
  readonly baseUrl: string;
  readonly token?: string | undefined;
  /** The node's home directory, when known: an unreachable node is then told how to start. */
  readonly home?: string;
}

export interface NodeInfo {
  org: string;
  jurisdiction?: string;
  peerId: string;
  origin: string;
  verifierKey: string;
  /** The logs it kept under earlier log keys (keys rotate --log), oldest first; untrusted until pinned. */
  retiredLogs?: unknown;
  [key: string]: unknown;
}

export interface InclusionProofResponse {
  index: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
}

export interface ConsistencyProofResponse {
  from: number;
  to: number;
  proof: string[];
}

export interface AppendResponse {
  /** One per record; the verdict's fields are there when the node enforces a policy (every daemon does). */
  entries: ({ index: number; leafHash: string } & Partial<Verdict>)[];
}

export type { FsckReport, HomeFsckReport };

/** Largest response body the client reads (a checkpoint list can be long; entries are <= 4 KiB). */
const MAX_BODY_BYTES = 32 << 20;

export interface ApiClientOptions {
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

export class ApiClient {
  readonly target: ApiTarget;
  readonly #timeoutMs: number;

  constructor(target: ApiTarget, options: ApiClientOptions = {}) {
    this.target = target;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** GET /v1/node */
  async node(): Promise<NodeInfo> {
    const v = await this.#json('GET', '/v1/node');
    if (!isRecord(v) || !isString(v.org) || !isString(v.origin) || !isString(v.verifierKey) || !isString(v.peerId)) {
      throw malformed('/v1/node');
    }
    return v as NodeInfo;
  }

  /** GET /v1/log/checkpoint[?origin=O] (a log the node retired): the signed note, exactly as served. */
  async checkpoint(origin?: string): Promise<string> {
    const q = origin === undefined ? '' : `?${new URLSearchParams({ origin })}`;
    return await this.#text('GET', `/v1/log/checkpoint${q}`);
  }

  /** POST /v1/log/checkpoint (admin): signs a checkpoint now if the tree grew; returns the latest note. */
  async signCheckpoint(): Promise<string> {
    return await this.#text('POST', '/v1/log/checkpoint');
  }

  /** GET /checkpoint (tlog-tiles, public): the signed note with any cosignature lines, exactly as served. */
  async tlogCheckpoint(): Promise<string> {
    return await this.#text('GET', '/checkpoint');
  }

  /** GET /<path> for a tlog-tiles path (`tile/…`, public): the tile or entry bundle bytes (untrusted). */
  async tile(path: string): Promise<Uint8Array> {
    return await readBody(await this.#request('GET', `/${path}`), 2 << 20);
  }

  /** GET /v1/log/entries/{index}: the exact leaf bytes. */
  async entry(index: number): Promise<Uint8Array> {
    const res = await this.#request('GET', `/v1/log/entries/${index}`);
    return await readBody(res);
  }

  /** GET /v1/log/lookup?decisionId=D | ?leafHash=H: the index of an entry of this node's log. */
  async lookup(by: { decisionId: string } | { leafHash: string }): Promise<{ index: number; leafHash: string }> {
    const q =
      'decisionId' in by
        ? `decisionId=${encodeURIComponent(by.decisionId)}`
        : `leafHash=${encodeURIComponent(by.leafHash)}`;
    const v = await this.#json('GET', `/v1/log/lookup?${q}`);
    if (
      !isRecord(v) ||
      typeof v.index !== 'number' ||
      !Number.isSafeInteger(v.index) ||
      v.index < 0 ||
      !isString(v.leafHash)
    ) {
      throw malformed('/v1/log/lookup');
    }
    return { index: v.index, leafHash: v.leafHash };
  }

  /** GET /v1/log/proofs/inclusion */
  async inclusionProof(index: number, treeSize?: number): Promise<InclusionProofResponse> {
    const q = treeSize === undefined ? `index=${index}` : `index=${index}&treeSize=${treeSize}`;
    const v = await this.#json('GET', `/v1/log/proofs/inclusion?${q}`);
    if (
      !isRecord(v) ||
      !isUint(v.index) ||
      !isUint(v.treeSize) ||
      !isString(v.leafHash) ||
      !Array.isArray(v.proof) ||
      !v.proof.every(isString)
    ) {
      throw malformed('/v1/log/proofs/inclusion');
    }
    return v as unknown as InclusionProofResponse;
  }

  /** GET /v1/log/proofs/consistency */
  async consistencyProof(from: number, to: number): Promise<ConsistencyProofResponse> {
    const v = await this.#json('GET', `/v1/log/proofs/consistency?from=${from}&to=${to}`);
    if (!isRecord(v) || !isUint(v.from) || !isUint(v.to) || !Array.isArray(v.proof) || !v.proof.every(isString)) {
      throw malformed('/v1/log/proofs/consistency');
    }
    return v as unknown as ConsistencyProofResponse;
  }

  /** POST /v1/decisions (ingest): one record or an array; resolves once the entries are durable. */
  async appendDecisions(records: unknown): Promise<AppendResponse> {
    const v = await this.#json('POST', '/v1/decisions', records);
    if (!isRecord(v) || !Array.isArray(v.entries)) throw malformed('/v1/decisions');
    return v as unknown as AppendResponse;
  }

  /**
   * GET /v1/decisions (a search page) or GET /v1/decisions/proofs (a page with records and proofs), with
   * `query` as given: a JSON object with an `items` array, shapes checked by the caller.
   */
  async decisions(path: '' | '/proofs', query: URLSearchParams): Promise<Record<string, unknown>> {
    const q = query.toString();
    const v = await this.#json('GET', `/v1/decisions${path}${q === '' ? '' : `?${q}`}`);
    if (!isRecord(v) || !Array.isArray(v.items) || (v.next !== undefined && !isString(v.next))) {
      throw malformed(`/v1/decisions${path}`);
    }
    return v;
  }

  /** POST /v1/admin/fsck (admin) */
  async fsck(): Promise<HomeFsckReport> {
    const v = await this.#json('POST', '/v1/admin/fsck');
    if (!isRecord(v) || typeof v.ok !== 'boolean' || !isUint(v.size) || !Array.isArray(v.retired)) {
      throw malformed('/v1/admin/fsck');
    }
    return { problems: [], ...v } as unknown as HomeFsckReport;
  }

  /** GET /v1/federation: the node's federation status (shape checked by the caller's formatter). */
  async federation(): Promise<Record<string, unknown>> {
    const v = await this.#json('GET', '/v1/federation');
    if (!isRecord(v) || typeof v.federated !== 'boolean' || !Array.isArray(v.members))
      throw malformed('/v1/federation');
    return v;
  }

  /** POST to a /v1/federation admin route (create, thresholds, invites, proposals/sign, join). */
  async federationPost(path: string, body: unknown): Promise<Record<string, unknown>> {
    return await this.#object('POST', `/v1/federation${path}`, body);
  }

  /** /v1/identities routes: GET (auditor) or admin POST; the roster view, shape checked by the caller. */
  async identities(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    return await this.#object(method, `/v1/identities${path}`, body);
  }

  /** A /v1/models or /v1/deployments route: a JSON object, shape checked by the caller. */
  async models(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    return await this.#object(method, `/v1/models${path}`, body);
  }
  /** GET /v1/reports/models/{name} (auditor): a signed report, checked by the caller with protocol/report. */
  async report(path: string): Promise<Record<string, unknown>> {
    return await this.#object('GET', `/v1/reports${path}`);
  }
  async deployments(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    return await this.#object(method, `/v1/deployments${path}`, body);
  }

  /** POST /v1/keys/rotate (admin): an operation result, shape checked by the caller. */
  async keysRotate(key: 'witness' | 'peer' | 'log'): Promise<Record<string, unknown>> {
    const v = await this.#json('POST', '/v1/keys/rotate', { key });
    if (!isRecord(v)) throw malformed('/v1/keys/rotate');
    return v;
  }

  /** A /v1/policy route (GET or admin POST/PUT): a JSON object, shape checked by the caller. */
  async policy(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<Record<string, unknown>> {
    return await this.#object(method, `/v1/policy${path}`, body);
  }

  /**
   * GET /v1/proofs/inclusion?origin=O&index=N: a cross-org proof bundle (untrusted: the caller verifies
   * it with protocol/witness before use).
   */
  async crossOrgInclusion(origin: string, index: number): Promise<Record<string, unknown>> {
    const path = `/v1/proofs/inclusion?origin=${encodeURIComponent(origin)}&index=${index}`;
    const v = await this.#json('GET', path);
    if (!isRecord(v)) throw malformed('/v1/proofs/inclusion');
    return v;
  }

  /**
   * GET /v1/proofs/lookup?origin=O&decisionId=D|leafHash=H: a cross-org proof bundle of the entry with
   * that decision id or leaf hash (untrusted: the caller verifies it and that it is that entry).
   */
  async crossOrgLookup(
    origin: string,
    by: { decisionId: string } | { leafHash: string },
  ): Promise<Record<string, unknown>> {
    const q =
      'decisionId' in by
        ? `decisionId=${encodeURIComponent(by.decisionId)}`
        : `leafHash=${encodeURIComponent(by.leafHash)}`;
    const v = await this.#json('GET', `/v1/proofs/lookup?origin=${encodeURIComponent(origin)}&${q}`);
    if (!isRecord(v)) throw malformed('/v1/proofs/lookup');
    return v;
  }

  /** GET or PUT (admin) /v1/witness/logs: the logs outside the federation this node witnesses. */
  async witnessLogs(set?: readonly string[]): Promise<string[]> {
    const v = await this.#json(
      set === undefined ? 'GET' : 'PUT',
      '/v1/witness/logs',
      set === undefined ? undefined : { logs: set },
    );
    if (!isRecord(v) || !Array.isArray(v.logs) || !v.logs.every(isString)) throw malformed('/v1/witness/logs');
    return v.logs as string[];
  }

  /** GET /metrics (Prometheus text). */
  async metrics(): Promise<string> {
    return await this.#text('GET', '/metrics');
  }

  /** A route answering a JSON object (its fields are checked by the caller). */
  async #object(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const v = await this.#json(method, path, body);
    if (!isRecord(v)) throw malformed(path);
    return v;
  }

  async #json(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.#request(method, path, body);
    const bytes = await readBody(res);
    try {
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (cause) {
      throw new CliError(ExitCode.ERROR, `${path}: the node returned invalid JSON`, {
        code: 'ERR_BAD_RESPONSE',
        cause,
      });
    }
  }

  async #text(method: string, path: string): Promise<string> {
    const res = await this.#request(method, path);
    const bytes = await readBody(res);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (cause) {
      throw new CliError(ExitCode.ERROR, `${path}: the node returned invalid UTF-8`, {
        code: 'ERR_BAD_RESPONSE',
        cause,
      });
    }
  }

  async #request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, text/plain, application/octet-stream' };
    if (this.target.token !== undefined) headers.authorization = `Bearer ${this.target.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      const send = () =>
        fetch(`${this.target.baseUrl}${path}`, {
          method,
          headers,
          ...(payload === undefined ? {} : { body: payload }),
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      res = await sendWithRetry(send, async (r) => (await apiError(r)).code === 'ERR_RATE_LIMITED');
    } catch (cause) {
      const home = this.target.home;
      const start = home === undefined ? '' : ` — is it running? start it with govfed start --home ${home}`;
      throw new UnreachableError(`cannot reach the node at ${this.target.baseUrl}: ${networkReason(cause)}${start}`, {
        cause,
      });
    }
    if (!res.ok) throw await apiError(res);
    return res;
  }
}

/** Reads a response body, refusing more than `max` bytes. */
async function readBody(res: Response, max = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > max) {
    await res.body?.cancel();
    throw new CliError(ExitCode.ERROR, `response too large (${declared} bytes)`, { code: 'ERR_BAD_RESPONSE' });
  }
  if (res.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of res.body) {
    n += chunk.length;
    if (n > max) {
      throw new CliError(ExitCode.ERROR, `response larger than ${max} bytes`, { code: 'ERR_BAD_RESPONSE' });
    }
    chunks.push(chunk);
  }
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

async function apiError(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText || 'request failed';
  try {
    const text = new TextDecoder().decode(await readBody(res, 64 << 10));
    const v: unknown = JSON.parse(text);
    if (isRecord(v) && isRecord(v.error)) {
      if (isString(v.error.code)) code = v.error.code;
      if (isString(v.error.message)) message = v.error.message;
    }
  } catch {
    // Not our error shape: keep the status line.
  }
  return new ApiError(res.status, code, message);
}

function networkReason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timed out';
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause !== undefined && typeof cause.code === 'string') return cause.code;
  if (cause !== undefined && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

function malformed(path: string): CliError {
  return new CliError(ExitCode.ERROR, `${path}: unexpected response shape`, { code: 'ERR_BAD_RESPONSE' });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
