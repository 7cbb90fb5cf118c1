/**
 * node/home — a node's home directory DIR: everything a node is, apart from its log data.
 *
 *     DIR/config.json     org, jurisdiction, log origin + verifier key, peer id, addresses (not secret)
 *     DIR/keys/log.key    checkpoint signing key, C2SP signer key string             (0600)
 *     DIR/keys/peer.key   libp2p Ed25519 identity, protobuf                           (0600)
 *     DIR/tokens.json     SHA-256 hashes of the API tokens with their roles           (0600)
 *     DIR/admin.token     the admin token made by init                                (0600)
 *     DIR/data/           the LevelDB of the audit log (node/log)                     (0700, files 0600)
 *     DIR/witness/        the witness's LevelDB and logs.json (node/witness)          (0700, files 0600)
 *     DIR/member-card.json  the node's signed member card: org, jurisdiction, keys, addresses (public)
 *     DIR/govfed.pid      the daemon's pid while it runs
 *     DIR/api.addr        HOST:PORT the running daemon actually listens on
 *     DIR/keys/store.password  the PostgreSQL password when config.json `store` names a database (0600)
 *
 * `initHome` creates it, `addProcessHome` makes another home of the same node for a further process on a
 * shared PostgreSQL store (`govfed ha add-process`), `loadHome` reads and cross-checks it for the daemon, `createToken` adds an API
 * token (also while the daemon runs), `TokenStore` answers "which role has this token?" and follows
 * changes to tokens.json. Every write is atomic; no function here logs or returns key material.
 *
 * With the log in PostgreSQL (config.json `store`) the modules' state, the witness's store, the token list
 * and the monitor key are not under DIR but in the log's database, shared by every process of the org
 * (state-backend.ts, pg-state.ts, pg-tokens.ts, shared-state.ts: `openHomeState`).
 */

export { type AddProcessOptions, type AddProcessResult, addProcessHome, requireSharedStore } from './add-process.ts';
export {
  type ApiAddress,
  CONFIG_VERSION,
  checkConfig,
  DEFAULT_API,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  DEFAULT_JURISDICTION,
  DEFAULT_LISTEN,
  formatApiAddress,
  type HomePaths,
  homePaths,
  type NodeConfig,
  ORG_PATTERN,
  parseApiAddress,
  readApiAddress,
  readConfig,
} from './config.ts';
export {
  checkSetting,
  isSettableKey,
  SETTABLE_KEYS,
  type SetResult,
  type SettableKey,
  setConfigValue,
} from './config-set.ts';
export { checkHttpLimits, DEFAULT_HTTP_LIMITS, type HttpLimits, resolveHttpLimits } from './http-limits.ts';
export { type InitOptions, type InitResult, initHome } from './init.ts';
export { logOrigin } from './keys.ts';
export { type LoadedHome, loadHome } from './load.ts';
export { cardAddresses, MEMBER_CARD_FILE, makeMemberCard, type WrittenCard, writeMemberCard } from './member-card.ts';
export {
  createToken,
  hashToken,
  isRole,
  isTokenSyntax,
  listTokens,
  type NewToken,
  ROLES,
  type Role,
  revokeToken,
  TOKEN_PATTERN,
  type TokenEntry,
  type TokenInfo,
  TokenStore,
  type TokenStoreOptions,
} from './tokens.ts';
