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
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Envelope } from '../../protocol/federation/index.ts';
import { NodeError } from '../errors.ts';
import { writeFileAtomic } from '../home/fs.ts';

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

export class PolicyStore {
  readonly dir: string;
  readonly file: string;
  #writing: Promise<void> = Promise.resolve();

  constructor(homeDir: string) {
    this.dir = join(homeDir, 'policy');
    this.file = join(this.dir, 'state.json');
  }

  /** The stored state, or undefined when there is none yet. Throws ERR_INVALID_CONFIG for a broken file. */
  async load(): Promise<PolicyState | undefined> {
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
    const s = v as Partial<PolicyState>;
    if (
      typeof v !== 'object' ||
      v === null ||
      s.version !== POLICY_STATE_VERSION ||
      !(s.federationId === null || typeof s.federationId === 'string') ||
      !Array.isArray(s.bundles) ||
      !Array.isArray(s.pending) ||
      !Array.isArray(s.receipts) ||
      !Array.isArray(s.forks) ||
      !('local' in s)
    ) {
      throw new NodeError('ERR_INVALID_CONFIG', `${this.file}: not a policy state (version ${POLICY_STATE_VERSION})`);
    }
    return s as PolicyState;
  }

  /** Writes `state` atomically; writes are serialised in call order. */
  save(state: PolicyState): Promise<void> {
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
    await this.#writing.catch(() => {});
  }
}
