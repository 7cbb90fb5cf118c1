/**
 * The roster module's local state, one JSON file: DIR/registry/state.json (mode 0600, written atomically,
 * writes serialised — node/home/state-file.ts):
 *
 *   { "version": 1, "federationId": <64 hex> | null, "rosters": { "<org>": <roster envelope>, … } }
 *
 * Nothing here is trusted on load: the module re-verifies every roster against the charter.
 * On a home whose log is in PostgreSQL: the row 'registry' of `<schema>.node_state` (node/home/pg-state.ts).
 */
import type { Envelope } from '../../protocol/dsse/index.ts';
import type { StateStorage } from '../home/state-backend.ts';
import { JsonStateFile } from '../home/state-file.ts';

export interface RosterState {
  version: 1;
  federationId: string | null;
  rosters: Record<string, Envelope>;
}

function isRosterState(v: unknown): boolean {
  const s = v as Partial<RosterState>;
  return (
    s.version === 1 &&
    (s.federationId === null || typeof s.federationId === 'string') &&
    typeof s.rosters === 'object' &&
    s.rosters !== null &&
    !Array.isArray(s.rosters)
  );
}

/** DIR/registry/state.json. */
export class RosterStore extends JsonStateFile<RosterState> {
  constructor(home: string | StateStorage) {
    super(home, 'registry', 'roster state (version 1)', isRosterState);
  }
}
