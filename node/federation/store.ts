/**
 * The federation's local state, one JSON file: DIR/federation/state.json (mode 0600, written atomically:
 * tmp + fsync + rename), so a crash leaves the previous or the next state, never half of one.
 *
 *   { "version": 1, "federationId": <64 hex, pinned>, "charters": [<envelope v1>, …, <vn>],
 *     "proposals": [{ "envelope", "expiresAt" }], "addresses": { <member peer id>: [<multiaddr>, …] } }
 *
 * The charters are re-verified from the pinned genesis on every load (CharterChain.fromEnvelopes), so a
 * hand-edited or corrupted file stops the node rather than being trusted. Proposals are re-checked
 * against the chain; those that no longer apply are dropped.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Envelope } from '../../protocol/federation/index.ts';
import { NodeError } from '../errors.ts';
import { writeFileAtomic } from '../home/fs.ts';

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
}

export class FederationStore {
  readonly dir: string;
  readonly file: string;
  #writing: Promise<void> = Promise.resolve();

  constructor(homeDir: string) {
    this.dir = join(homeDir, 'federation');
    this.file = join(this.dir, 'state.json');
  }

  /** The stored state, or undefined when this node is in no federation. Throws ERR_INVALID_CONFIG. */
  async load(): Promise<FederationState | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (cause) {
      throw new NodeError('ERR_INVALID_CONFIG', `${this.file}: invalid JSON`, { cause });
    }
    const s = v as Partial<FederationState>;
    if (
      typeof v !== 'object' ||
      v === null ||
      s.version !== STATE_VERSION ||
      typeof s.federationId !== 'string' ||
      !Array.isArray(s.charters) ||
      !Array.isArray(s.proposals) ||
      typeof s.addresses !== 'object' ||
      s.addresses === null
    ) {
      throw new NodeError('ERR_INVALID_CONFIG', `${this.file}: not a federation state (version ${STATE_VERSION})`);
    }
    return s as FederationState;
  }

  /** Writes `state` atomically; writes are serialised in call order. */
  save(state: FederationState): Promise<void> {
    const text = `${JSON.stringify(state)}\n`;
    this.#writing = this.#writing
      .catch(() => {})
      .then(async () => {
        await mkdir(this.dir, { recursive: true, mode: 0o700 });
        await writeFileAtomic(this.file, text, 0o600);
      });
    return this.#writing;
  }

  /** Resolves when every save so far is on disk. */
  async flush(): Promise<void> {
    await this.#writing;
  }
}
