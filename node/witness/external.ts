/**
 * The logs outside the federation this node witnesses through POST /v1/witness/add-checkpoint
 * (DIR/witness/logs.json, GET/PUT /v1/witness/logs). Members' logs come from the charter, not here.
 */
import { knownLogsFromKeys } from '../../protocol/witness/witness.ts';
import type { WitnessStorage } from './store.ts';

export class ExternalLogs {
  readonly #store: WitnessStorage;
  #keys: string[] = [];

  constructor(store: WitnessStorage) {
    this.#store = store;
  }

  /** Reads logs.json (the store must be open). */
  async start(): Promise<void> {
    this.#keys = await this.#store.externalLogs();
  }

  /** Verifier keys of the external logs, sorted. */
  list(): string[] {
    return [...this.#keys];
  }

  /** Replaces the list (each key must be an Ed25519 log verifier key: else ERR_MALFORMED_VERIFIER_KEY). */
  async set(keys: readonly string[]): Promise<string[]> {
    knownLogsFromKeys(keys); // throws ERR_MALFORMED_VERIFIER_KEY
    const unique = [...new Set(keys)].sort();
    await this.#store.setExternalLogs(unique);
    this.#keys = unique;
    return unique;
  }
}
