/**
 * The monitoring windows this node holds, one JSON file: DIR/monitoring/state.json (mode 0600, written
 * atomically — node/home/state-file.ts): `{"version": 1, "federationId": <hex> | null, "windows":
 * [<DSSE envelope>, …]}`. Nothing here is trusted on load: every window is verified again.
 * On a home whose log is in PostgreSQL: the row 'monitoring' of `<schema>.node_state` (node/home/pg-state.ts).
 */
import type { Envelope } from '../../protocol/dsse/index.ts';
import type { StateStorage } from '../home/state-backend.ts';
import { JsonStateFile } from '../home/state-file.ts';

export interface MonitorState {
  version: 1;
  federationId: string | null;
  windows: Envelope[];
}

function isMonitorState(v: unknown): boolean {
  const s = v as Partial<MonitorState>;
  return s.version === 1 && (s.federationId === null || typeof s.federationId === 'string') && Array.isArray(s.windows);
}

/** DIR/monitoring/state.json. */
export class MonitorStore extends JsonStateFile<MonitorState> {
  constructor(home: string | StateStorage) {
    super(home, 'monitoring', 'monitoring state (version 1)', isMonitorState);
  }
}
