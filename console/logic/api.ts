/**
 * The console's API client: the same routes a script uses (docs/openapi.json), with the token the
 * person logged in with in `Authorization: Bearer` — never in a URL. Errors keep the node's typed error
 * ({"error": {"code", "message"}}) as ApiError.code, so pages branch on codes, not messages.
 *
 * No DOM here: the tests run it under Node against a real node.
 */

/** Thrown for any answer that is not 2xx: the node's code, or ERR_UNREACHABLE / ERR_BAD_RESPONSE. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Largest answer the console reads (a page of decisions with proofs is far smaller). */
export const MAX_RESPONSE_BYTES = 8 << 20;

export class ConsoleApi {
  readonly #token: string;
  readonly #fetch: Fetch;
  readonly #base: string;

  /** `base`: '' in the browser (same origin), `http://HOST:PORT` in tests. */
  constructor(token: string, opts: { fetch?: Fetch; base?: string } = {}) {
    this.#token = token;
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#base = opts.base ?? '';
  }

  /** A request with the token; the response as is (for streams). Throws ApiError unless 2xx. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${this.#token}` },
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'error',
      });
    } catch (cause) {
      if ((cause as Error).name === 'AbortError') throw cause;
      throw new ApiError('ERR_UNREACHABLE', 0, `the node did not answer: ${(cause as Error).message}`);
    }
    if (res.ok) return res;
    throw await errorOf(res);
  }

  /** `maxBytes`: a larger cap for an answer known to be large (a compliance report). */
  async json<T>(path: string, maxBytes = MAX_RESPONSE_BYTES): Promise<T> {
    const res = await this.request(path, { headers: { accept: 'application/json' } });
    const text = await readCapped(res, maxBytes);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError('ERR_BAD_RESPONSE', res.status, `${path}: the answer is not JSON`);
    }
  }

  async text(path: string): Promise<string> {
    return readCapped(await this.request(path));
  }

  async bytes(path: string): Promise<Uint8Array> {
    const res = await this.request(path);
    const buf = new Uint8Array(await res.arrayBuffer());
    if (buf.length > MAX_RESPONSE_BYTES) throw new ApiError('ERR_BAD_RESPONSE', res.status, `${path}: too large`);
    return buf;
  }
}

async function readCapped(res: Response, maxBytes = MAX_RESPONSE_BYTES): Promise<string> {
  const text = await res.text();
  if (text.length > maxBytes) throw new ApiError('ERR_BAD_RESPONSE', res.status, 'the answer is too large');
  return text;
}

/** The ApiError of a non-2xx answer: the node's typed error when the body is one. */
async function errorOf(res: Response): Promise<ApiError> {
  let code = 'ERR_BAD_RESPONSE';
  let message = `HTTP ${res.status}`;
  try {
    const body = JSON.parse(await res.text()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not the node's error format: keep ERR_BAD_RESPONSE
  }
  return new ApiError(code, res.status, message);
}
