/**
 * Rotating this node's keys, each carried by a charter change.
 *
 * Witness (cosignature) key — `rotate('witness')`:
 *   1. makes a fresh cosignature key, keeps its signer in keys/witness.key.next (0600), and proposes the
 *      charter with this member's `witnessKey` replaced (rule `charter`: the charter threshold, and our
 *      own signature as the changed member — protocol/federation/proposal.ts).
 *   2. Once a charter version that lists the new key for us is taken — at once with a charter threshold
 *      of 1, or when other members co-sign — the promotion makes it this node's key: config.json's
 *      `witnessKey` first, then keys/witness.key, then the next-key file goes; the member card is signed
 *      again; the running witness signs with it from the next cosignature on.
 *
 * Peer key (libp2p identity; it signs charters, gossip, receipts and the member card) — `rotate('peer')`:
 *   1. makes a fresh libp2p Ed25519 key in keys/peer.key.next (0600) and proposes the charter with this
 *      org seated under the new peer id, signed by the old key (consent: the changed member) and by the
 *      new one (possession: the added peer).
 *   2. Once a charter version seats our org under the new peer id, the old id is no longer a member:
 *      that is a promotion, not a departure (core.rotatedAway). config.json's `peerId` first, then
 *      keys/peer.key, then the next-key file goes; the member card is signed again with the new key;
 *      then the node starts again in the same process (`govfed start`, DaemonOptions.onRestart) so
 *      that libp2p and every module use the new identity. Members close the old id's connections and
 *      accept the new one (it is in the charter); the restarted node dials them from its address book.
 *
 * A crash in between is finished at the next start (node/home/load.ts completes a promotion whose
 * config.json already names the next key) or at the next charter notice. A shared log's home (several
 * processes of the org on one database) records the new key as the org's in the database first
 * (#recordFirst; node/ha keys-guard.ts), so that the processes whose homes still hold the old key never
 * lead with it.
 *
 * Consequences (docs/operators-guide.md "Rotating keys"): members check our cosignatures and our peer
 * signatures against the charter, so from that version on only the new keys count. Logs outside the
 * federation that use this node as a tlog-witness know its key out of band: give them the new one
 * (`govfed member card` shows it). The log key is not rotated here: a new log key means a new origin.
 */
import type { Charter, CharterChain, Member } from '../../protocol/federation/index.ts';
import {
  addSignature,
  charterDigest,
  MAX_RETIRED_LOG_KEYS,
  nextCharter,
  signCharter,
} from '../../protocol/federation/index.ts';
import type { NoteSigner } from '../../protocol/note/index.ts';
import { errorText } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import { recordKeys } from '../ha/keys-guard.ts';
import { keysOfConfig, type OrgKeys } from '../ha/org-keys.ts';
import { exists, writeFileAtomic } from '../home/fs.ts';
import { nextKeyPath, promoteKeyFiles } from '../home/key-promotion.ts';
import {
  type NewLogKey,
  newLogKey,
  newPeerKey,
  newWitnessKey,
  parseWitnessKey,
  peerIdOfKey,
  peerSeedOfKey,
} from '../home/keys.ts';
import { readSecret } from '../home/load.ts';
import type { ModuleState } from '../home/shared-state.ts';
import type { CharterChanges } from './changes.ts';
import type { CharterModule } from './charter-module.ts';
import type { FederationCore } from './core.ts';
import { nextLogKeyPath, promoteLogKey, type RotatingLog } from './log-rotation.ts';
import { PROPOSAL_TTL_MS } from './pending.ts';
import type { FederationStatus, ProposalView } from './views.ts';

export type RotatableKey = 'witness' | 'peer' | 'log';
export const ROTATABLE_KEYS: readonly RotatableKey[] = ['witness', 'peer', 'log'];

/** The next witness key's signer, while its charter change is pending. */
export function nextWitnessKeyPath(dir: string): string {
  return nextKeyPath(dir, 'witness');
}

/** The next peer key (libp2p protobuf), while its charter change is pending. */
export function nextPeerKeyPath(dir: string): string {
  return nextKeyPath(dir, 'peer');
}

export interface KeyRotationOptions {
  /** The running witness's signer lives here (the daemon's LoadedHome), when there is one. */
  home: { witnessSigner?: NoteSigner };
  /** Starts the node again with what is on disk (a promoted peer key); without it, an event says so. */
  restart?: () => void;
  /** The node's state (a shared log's database: the org's recorded keys are written there first). */
  state?: Pick<ModuleState, 'db'>;
  /** The node's log, which a log key rotation closes (log-rotation.ts); without it, `rotate('log')` refuses. */
  log?: RotatingLog;
}

/** The log a log key rotation closes, from the node's log when it can (lookups and checkpoints), else undefined. */
export function rotatingLog(log: Partial<RotatingLog> & Pick<RotatingLog, 'append'>): RotatingLog | undefined {
  if (log.lookupLeafHash === undefined || log.checkpointNow === undefined) return undefined;
  return {
    append: log.append.bind(log),
    lookupLeafHash: log.lookupLeafHash.bind(log),
    checkpointNow: log.checkpointNow.bind(log),
  };
}

export class KeyRotation {
  readonly #c: FederationCore;
  readonly #changes: CharterChanges;
  readonly #charter: CharterModule;
  readonly #o: KeyRotationOptions;
  #promoting: Promise<void> = Promise.resolve();
  /** The peer id of keys/peer.key.next, when a peer key rotation is under way (read at start). */
  #nextPeerId: string | undefined;

  constructor(core: FederationCore, changes: CharterChanges, charter: CharterModule, o: KeyRotationOptions) {
    this.#c = core;
    this.#changes = changes;
    this.#charter = charter;
    this.#o = o;
  }

  /** Reads a pending peer key rotation's next key (before the network starts). */
  async load(): Promise<void> {
    const file = nextPeerKeyPath(this.#c.home.dir);
    this.#nextPeerId = (await exists(file)) ? peerIdOfKey(new Uint8Array(await readSecret(file))) : undefined;
  }

  /** True when `charter` seats our org under the peer key we rotated to. */
  rotatedAway(charter: Charter): boolean {
    const next = this.#nextPeerId;
    if (next === undefined) return false;
    return charter.members.some((m) => m.org === this.#c.home.config.org && m.peerId === next);
  }

  onCharter(chain: CharterChain): void {
    this.#promoting = this.#promoting.then(async () => {
      await this.#promoteWitness(chain);
      await this.#promoteLog(chain);
      await this.#promotePeer(chain);
    });
  }

  /** Resolves when the promotions started so far are done (tests, the API's answer). */
  idle(): Promise<void> {
    return this.#promoting;
  }

  /** Proposes a new key of this member (see the top of this file). */
  async rotate(key: RotatableKey): Promise<ProposalView | FederationStatus> {
    const chain = this.#c.requireChain();
    const self = chain.current.members.find((m) => m.peerId === this.#c.peerId);
    if (self === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node is not a member of its charter');
    const dir = this.#c.home.dir;
    let replace: Partial<Member>;
    let secret: { file: string; bytes: string | Uint8Array };
    let newSeed: Uint8Array | undefined;
    if (key === 'witness') {
      const fresh = newWitnessKey(this.#c.home.config.org);
      replace = { witnessKey: fresh.verifierKey };
      secret = { file: nextWitnessKeyPath(dir), bytes: `${fresh.signerKey}\n` };
    } else if (key === 'log') {
      if (this.#c.home.config.store !== undefined) {
        // The rotation moves DIR/data aside as the retired log (node/home/log-rotation.ts); a log in
        // PostgreSQL would need a new schema for the new origin — not built yet (issue 19).
        throw new NodeError(
          'ERR_INVALID_CONFIG',
          'a log key rotation is not supported yet for a node whose log is in PostgreSQL (config.json store)',
        );
      }
      const fresh = this.#freshLogKey(self);
      replace = { logKey: fresh.verifierKey, retiredLogKeys: [...(self.retiredLogKeys ?? []), self.logKey as string] };
      secret = { file: nextLogKeyPath(dir), bytes: `${fresh.signerKey}\n` };
    } else {
      const fresh = await newPeerKey();
      replace = { peerId: fresh.peerId };
      secret = { file: nextPeerKeyPath(dir), bytes: fresh.protobuf };
      newSeed = peerSeedOfKey(fresh.protobuf);
    }
    const members: Member[] = chain.current.members.map((m) =>
      m.peerId === this.#c.peerId ? { ...m, ...replace } : m,
    );
    const next = nextCharter(chain.current, {
      createdAt: this.#c.now().toISOString(),
      expiresAt: this.#c.expiry(PROPOSAL_TTL_MS),
      members,
    });
    this.#charter.rc.assertNoConflict(next.version, charterDigest(next));
    await writeFileAtomic(secret.file, secret.bytes, 0o600);
    let env = signCharter(next, this.#c.seed);
    if (newSeed !== undefined) {
      env = addSignature(env, newSeed, { verify: this.#c.verify });
      this.#nextPeerId = replace.peerId;
    }
    const result = await this.#changes.propose(env);
    await this.#charter.rc.tail.idle();
    await this.idle();
    return result;
  }

  /** A fresh log key for `self`, after checking that its log can be rotated (see the checks below). */
  #freshLogKey(self: Member): NewLogKey {
    const config = this.#c.home.config;
    if (this.#o.log === undefined) throw new NodeError('ERR_INTERNAL', 'the federation service was given no log');
    if (self.logKey !== config.verifierKey) {
      throw new NodeError(
        'ERR_INVALID_CONFIG',
        `the charter lists ${self.logKey ?? 'no log key'} for ${config.org}, not this node's ${config.verifierKey}: rotate once they agree`,
      );
    }
    const retired = self.retiredLogKeys ?? [];
    if (retired.length >= MAX_RETIRED_LOG_KEYS) {
      throw new NodeError(
        'ERR_RETIRED_KEYS_FULL',
        `${config.org} has retired ${retired.length} log keys already, the most a charter lists`,
      );
    }
    const taken = new Set([config.origin, ...(config.retiredLogs ?? []).map((r) => r.origin)]);
    for (;;) {
      const fresh = newLogKey(config.org);
      if (!taken.has(fresh.origin)) return fresh; // a 32-bit key id collision: draw again
    }
  }

  /**
   * A shared log (several processes of the org on one PostgreSQL database): the new key is recorded as
   * the org's (fenced by the writer lease) BEFORE this home's files change, so no other process can lead
   * with the old key from then on (node/ha keys-guard.ts); a crash between the two is finished at this
   * home's next start (node/ha keys-recovery.ts). A failure (the lease lost) stops the promotion here:
   * the home keeps its old key and the next-key file, and the next charter notice tries again.
   */
  async #recordFirst(change: Partial<OrgKeys>): Promise<void> {
    const db = this.#o.state?.db;
    const config = this.#c.home.config;
    if (db === undefined || config.store?.shared !== true) return;
    await recordKeys(db, { ...keysOfConfig(config), ...change }, this.#c.home.dir, this.#c.now());
  }

  /** Closes the old log and switches config.json to the new one (log-rotation.ts), then restarts. */
  async #promoteLog(chain: CharterChain): Promise<void> {
    const log = this.#o.log;
    if (log === undefined) return;
    try {
      const config = await promoteLogKey({
        dir: this.#c.home.dir,
        config: this.#c.home.config,
        peerId: this.#c.peerId,
        chain,
        log,
      });
      if (config === undefined) return;
      const restart = this.#o.restart;
      this.#c.events('keys:rotated', {
        key: 'log',
        id: config.verifierKey,
        version: chain.version,
        restart: restart !== undefined,
      });
      await this.#charter.rc.tail.idle();
      restart?.();
    } catch (err) {
      this.#c.events('federation:error', { error: `log key rotation: ${errorText(err)}` });
    }
  }

  /** Makes the next witness key this node's once the charter lists it for us. Failures are events. */
  async #promoteWitness(chain: CharterChain): Promise<void> {
    const dir = this.#c.home.dir;
    const file = nextWitnessKeyPath(dir);
    try {
      if (!(await exists(file))) return;
      const next = parseWitnessKey((await readSecret(file)).toString('utf8'));
      const self = chain.current.members.find((m) => m.peerId === this.#c.peerId);
      if (self?.witnessKey !== next.verifierKey) return;
      const config = this.#c.home.config;
      await this.#recordFirst({ witnessKey: next.verifierKey });
      config.witnessKey = next.verifierKey;
      await promoteKeyFiles(dir, config, 'witness', await readSecret(file));
      this.#o.home.witnessSigner = next.signer;
      this.#c.events('keys:rotated', { key: 'witness', id: next.verifierKey, version: chain.version, restart: false });
    } catch (err) {
      this.#c.events('federation:error', { error: `witness key rotation: ${errorText(err)}` });
    }
  }

  /**
   * Makes the next peer key this node's once the charter seats our org under it, then restarts the node.
   * The running node keeps its old identity until then (its config object is not changed in place).
   */
  async #promotePeer(chain: CharterChain): Promise<void> {
    const dir = this.#c.home.dir;
    const file = nextPeerKeyPath(dir);
    try {
      if (this.#nextPeerId === undefined || !this.rotatedAway(chain.current)) return;
      if (!(await exists(file))) return;
      const key = new Uint8Array(await readSecret(file));
      const peerId = peerIdOfKey(key);
      if (peerId !== this.#nextPeerId) return;
      await this.#recordFirst({ peerId });
      const config = { ...this.#c.home.config, peerId };
      await promoteKeyFiles(dir, config, 'peer', key);
      const restart = this.#o.restart;
      this.#c.events('keys:rotated', {
        key: 'peer',
        id: peerId,
        version: chain.version,
        restart: restart !== undefined,
      });
      // Once the chain's tail (persist, audit) is done with this version, and every connected member
      // holds it (under the new peer id its gate lets us in only then): the restart stops the node.
      await this.#charter.rc.tail.idle();
      const env = chain.head.envelope;
      await Promise.all(
        chain.current.members.map((m) => (m.peerId === peerId ? undefined : this.#c.handCharter(m.peerId, env))),
      );
      restart?.();
    } catch (err) {
      this.#c.events('federation:error', { error: `peer key rotation: ${errorText(err)}` });
    }
  }
}
