/**
 * A token bucket per client, as a store of @fastify/rate-limit (its `store` option; the plugin does the
 * hooks, keys, headers and the refusal, this file only the counting).
 *
 * The plugin's own store counts requests in fixed windows: a client could spend a whole window's budget
 * at the end of one window and again at the start of the next (twice the budget in a moment). A bucket
 * instead holds at most `max` tokens and refills continuously at `max` per `timeWindow`: a client may
 * burst up to `max` requests, then goes at the refill rate, and a refused client may retry as soon as
 * one token is back (Retry-After says when).
 *
 * Buckets live in an LRU map of bounded size (toad-cache, as the plugin's own store): a flood of
 * addresses evicts the least recently seen clients, whose buckets then start full again — memory stays
 * bounded, the limit is then weaker for them, never stricter.
 */
import { LruMap } from 'toad-cache';

/** One client's bucket: tokens left (fractional) at `atMs`. */
export interface Bucket {
  tokens: number;
  atMs: number;
}

/** What one request took from a bucket, in the plugin's terms. */
export interface Take {
  /** The bucket after the request. */
  bucket: Bucket;
  /** Requests counted against the budget: `max - remaining`, or `max + 1` when refused. */
  current: number;
  /** Refused: ms until one token is back. Allowed: ms until the bucket is full again. */
  ttl: number;
}

/**
 * Takes one token from `bucket` (undefined: a new client, full) at `nowMs`, for a budget of `max` per
 * `windowMs`. Pure: the caller stores the result's bucket.
 */
export function takeToken(bucket: Bucket | undefined, nowMs: number, max: number, windowMs: number): Take {
  if (!(max >= 1 && windowMs >= 1))
    return { bucket: { tokens: 0, atMs: nowMs }, current: 1, ttl: Math.max(1, windowMs) };
  const rate = max / windowMs; // tokens per ms
  const elapsed = bucket === undefined ? 0 : Math.max(0, nowMs - bucket.atMs); // a clock going back adds nothing
  const tokens = bucket === undefined ? max : Math.min(max, bucket.tokens + elapsed * rate);
  if (tokens >= 1) {
    const left = tokens - 1;
    return {
      bucket: { tokens: left, atMs: nowMs },
      current: max - Math.floor(left),
      ttl: Math.ceil((max - left) / rate),
    };
  }
  return { bucket: { tokens, atMs: nowMs }, current: max + 1, ttl: Math.max(1, Math.ceil((1 - tokens) / rate)) };
}

/** The plugin's store interface (@fastify/rate-limit FastifyRateLimitStore), as this file implements it. */
export interface RateLimitStore {
  incr(
    key: string,
    cb: (err: Error | null, res?: { current: number; ttl: number }) => void,
    timeWindow: number,
    max: number,
  ): void;
  child(routeOptions: unknown): RateLimitStore;
}

export interface TokenBucketOptions {
  /** Clients remembered at most (default 10,000). */
  maxClients?: number;
  now?: () => number;
}

/** A store class for the plugin's `store` option (the plugin constructs it itself). */
export function tokenBucketStore(opts: TokenBucketOptions = {}): new () => RateLimitStore {
  const maxClients = opts.maxClients ?? 10_000;
  const now = opts.now ?? Date.now;
  return class TokenBucketStore implements RateLimitStore {
    readonly #buckets = new LruMap<Bucket>(maxClients);

    incr(
      key: string,
      cb: (err: Error | null, res?: { current: number; ttl: number }) => void,
      timeWindow: number,
      max: number,
    ): void {
      const take = takeToken(this.#buckets.get(key), now(), max, timeWindow);
      this.#buckets.set(key, take.bucket);
      cb(null, { current: take.current, ttl: take.ttl });
    }

    /** Route-level settings (config.rateLimit objects) get buckets of their own. */
    child(): RateLimitStore {
      return new TokenBucketStore();
    }
  };
}
