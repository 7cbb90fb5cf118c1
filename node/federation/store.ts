/**
 * The federation's local state, one JSON file: DIR/federation/state.json (mode 0600, written atomically:
 * tmp + fsync + rename), so a crash leaves the previous or the next state, never half of one.
 *
 *   { "version": 1, "federationId": <64 hex, pinned>, "charters": [<envelope v1>, …, <vn>],
 *     "proposals": [{ "envelope", "expiresAt" }], "addresses": { <member peer id>: [<multiaddr>, …] },
 *     "withdrawals": [<envelope>, …] (optional) }
 *
 * The charters are re-verified from the pinned genesis on every load (CharterChain.fromEnvelopes), so a
 * hand-edited or corrupted file stops the node rather than being trusted. Proposals are re-checked
 * against the chain; those that no longer apply are dropped.
 *
 * On a home whose log is in PostgreSQL the same JSON is the row 'federation' of `<schema>.node_state`
 * (node/home/pg-state.ts), shared by the org's processes and written behind the writer lease.
 */
import { charterOf, type Envelope } from '../../protocol/federation/index.ts';
import type { StateStorage } from '../home/state-backend.ts';
import { JsonStateFile } from '../home/state-file.ts';

export const STATE_VERSION = 1;

export interface StoredProposal {
  envelope: Envelope;
  /** RFC 3339; after it the proposal is dropped (and the invitee's join window closes). */
  expiresAt: string;
}

export interface FederationState {
  version: typeof STATE_VERSION;
  federationId: string;
  charters: Envelope[];
  proposals: StoredProposal[];
  /** Last known listen addresses of members, learned through identify (to re-dial after a restart). */
  addresses: Record<string, string[]>;
  /** Signed withdrawals of signatures from pending changes (withdrawals.ts); absent in older files. */
  withdrawals?: Envelope[];
}

function isFederationState(v: unknown): boolean {
  const s = v as Partial<FederationState>;
  return (
    s.version === STATE_VERSION &&
    typeof s.federationId === 'string' &&
    Array.isArray(s.charters) &&
    Array.isArray(s.proposals) &&
    typeof s.addresses === 'object' &&
    s.addresses !== null &&
    (s.withdrawals === undefined || Array.isArray(s.withdrawals))
  );
}

/** DIR/federation/state.json. `load()` is undefined when this node is in no federation. */
export class FederationStore extends JsonStateFile<FederationState> {
  constructor(home: string | StateStorage) {
    super(home, 'federation', `federation state (version ${STATE_VERSION})`, isFederationState);
  }
}

/** A stored proposal whose envelope still decodes as a charter (state.json is ours, but checked anyway). */
export function decodable(p: StoredProposal): boolean {
  try {
    charterOf(p.envelope);
    return true;
  } catch {
    return false;
  }
}
