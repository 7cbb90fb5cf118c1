/**
 * The keys `govfed config set` may change (a contract: CLI arguments). Alone in this file, with no
 * imports, so that the CLI's help lists them without loading the code that checks their values
 * (config-set.ts).
 */
export const SETTABLE_KEYS = [
  'jurisdiction',
  'listen',
  'api',
  'ingestWorkers',
  'store.shared',
  'store.leaseMs',
  'http.rateLimit.perIp',
  'http.rateLimit.perToken',
  'http.rateLimit.ingestPerToken',
  'http.trustProxy',
] as const;
export type SettableKey = (typeof SETTABLE_KEYS)[number];
