/**
 * The model registry's local state, one JSON file: DIR/registry/models/state.json (mode 0600, written
 * atomically, writes serialised — node/home/state-file.ts):
 *
 *   { "version": 1, "federationId": <64 hex> | null,
 *     "records": [{"kind": "registration" | "approval", "envelope": <DSSE envelope>}, …] }
 *
 * `records` is in the order this node took them (the order it serves them to members that sync from it).
 * Nothing here is trusted on load: the registry verifies every record again, in order.
 * On a home whose log is in PostgreSQL: the row 'registry/models' of `<schema>.node_state` (node/home/pg-state.ts).
 */
import type { RegistryRecord } from '../../protocol/registry/model-sync.ts';
import type { StateStorage } from '../home/state-backend.ts';
import { JsonStateFile } from '../home/state-file.ts';

export interface ModelState {
  version: 1;
  federationId: string | null;
  records: RegistryRecord[];
}

function isModelState(v: unknown): boolean {
  const s = v as Partial<ModelState>;
  return s.version === 1 && (s.federationId === null || typeof s.federationId === 'string') && Array.isArray(s.records);
}

/** DIR/registry/models/state.json. */
export class ModelStore extends JsonStateFile<ModelState> {
  constructor(home: string | StateStorage) {
    super(home, 'registry/models', 'model registry state (version 1)', isModelState);
  }
}
