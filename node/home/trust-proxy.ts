/**
 * Which reverse proxies the HTTP API believes about the client's address: config.json `http.trustProxy`,
 * a list of addresses, CIDR ranges (`10.0.0.0/8`, `fd00::/8`) or the names `loopback`, `linklocal`,
 * `uniquelocal` (fastify's `trustProxy`, proxy-addr).
 *
 * Absent (the default), the node takes the TCP peer's address as the client's and ignores
 * `X-Forwarded-For` — any client can write that header, so believing it from anyone would let a client
 * choose the address its rate limit counts by (node/api/rate-limit.ts). Behind a reverse proxy on the same
 * machine every client then has the proxy's address; list the proxy here (e.g. `["loopback"]`) and the
 * node takes the address the proxy appended to `X-Forwarded-For` (the right-most one not from a trusted
 * proxy).
 */
import { isIP } from 'node:net';
import { NodeError } from '../errors.ts';

/** proxy-addr's names for ranges. */
export const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'] as const;

/** Longest list accepted. */
export const MAX_TRUSTED_PROXIES = 64;

/** True when `s` is an address, an address/prefix, or one of TRUST_PROXY_NAMES. */
export function isTrustedProxySpec(s: unknown): s is string {
  if (typeof s !== 'string' || s.length > 64) return false;
  if ((TRUST_PROXY_NAMES as readonly string[]).includes(s)) return true;
  const m = /^([^/]+)(?:\/(0|[1-9][0-9]{0,2}))?$/.exec(s);
  if (m === null) return false;
  const family = isIP(m[1] as string);
  if (family === 0) return false;
  return m[2] === undefined || Number(m[2]) <= (family === 4 ? 32 : 128);
}

/** Checks config.json's `http.trustProxy` (absent: none). Throws ERR_INVALID_CONFIG. */
export function checkTrustProxy(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const fail = (msg: string) => new NodeError('ERR_INVALID_CONFIG', `config.json: http.trustProxy ${msg}`);
  if (!Array.isArray(value) || value.length > MAX_TRUSTED_PROXIES) {
    throw fail(
      `must be a list of at most ${MAX_TRUSTED_PROXIES} addresses, CIDR ranges or ${TRUST_PROXY_NAMES.join(', ')}`,
    );
  }
  for (const [i, s] of value.entries()) {
    if (!isTrustedProxySpec(s)) {
      throw fail(
        `[${i}]: expected an IP address, ADDRESS/PREFIX or ${TRUST_PROXY_NAMES.join(', ')}, got ${JSON.stringify(s)?.slice(0, 80)}`,
      );
    }
  }
  return value as string[];
}
