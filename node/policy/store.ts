/**
 * The policy service's local state, one JSON file: DIR/policy/state.json (mode 0600, written atomically:
 * tmp + fsync + rename, writes serialised), so a crash leaves the previous or the next state.
 *
 *   { "version": 1, "federationId": <64 hex> | null,
 *     "bundles":  [<bundle envelope v1>, …, <vn>]      the active chain, oldest first
 *     "pending":  [{ "envelope", "expiresAt" }]          proposals with too few signatures yet
 *     "local":    <LocalPolicy> | null                   this node's stricter overlay
 *     "receipts": [<receipt envelope>]                   the newest receipt of each member (ours too)
 *     "forks":    [<bundle envelope>] }                  complete rival bundles seen (evidence) }
 *
 * Nothing here is trusted on load: the service re-verifies the bundles against the charter
 * (PolicyChain.fromEnvelopes), re-checks proposals and receipts and re-compiles the local rules.
 * On a home whose log is in PostgreSQL the same JSON is the row 'policy' of `<schema>.node_state`
 * (node/home/pg-state.ts).
 */
import type { Envelope } from '../../protocol/federation/index.ts';
import type { StateStorage } from '../home/state-backend.ts';
import { JsonStateFile } from '../home/state-file.ts';

export const POLICY_STATE_VERSION = 1;

export interface StoredPolicyProposal {
  envelope: Envelope;
  /** RFC 3339; after it the proposal is dropped. */
  expiresAt: string;
}

export interface PolicyState {
  version: typeof POLICY_STATE_VERSION;
  federationId: string | null;
  bundles: Envelope[];
  pending: StoredPolicyProposal[];
  /** The local overlay as installed (a LocalPolicy object), or null. */
  local: unknown;
  receipts: Envelope[];
  forks: Envelope[];
}

export function emptyPolicyState(): PolicyState {
  return {
    version: POLICY_STATE_VERSION,
    federationId: null,
    bundles: [],
    pending: [],
    local: null,
    receipts: [],
    forks: [],
  };
}

function isPolicyState(v: unknown): boolean {
  const s = v as Partial<PolicyState>;
  return (
    s.version === POLICY_STATE_VERSION &&
    (s.federationId === null || typeof s.federationId === 'string') &&
    Array.isArray(s.bundles) &&
    Array.isArray(s.pending) &&
    Array.isArray(s.receipts) &&
    Array.isArray(s.forks) &&
    'local' in s
  );
}

/** DIR/policy/state.json. */
export class PolicyStore extends JsonStateFile<PolicyState> {
  constructor(home: string | StateStorage) {
    super(home, 'policy', `policy state (version ${POLICY_STATE_VERSION})`, isPolicyState);
  }
}
