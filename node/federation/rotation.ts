/**
 * Rotating this node's witness key, carried by a charter change.
 *
 *   1. `rotateWitness()` makes a fresh cosignature key, keeps its signer in keys/witness.next.key (0600),
 *      and proposes the charter with this member's `witnessKey` replaced (rule `charter`: the charter
 *      threshold, and our own signature as the changed member — protocol/federation/proposal.ts).
 *   2. Once a charter version that lists the new key for us is taken — at once with a charter threshold
 *      of 1, or when other members co-sign — `promote` makes it this node's key: config.json's
 *      `witnessKey` first, then keys/witness.key, then the next-key file goes; the member card is signed
 *      again; the running witness signs with it from the next cosignature on.
 *   3. A crash in between is finished at the next start (node/home/load.ts completes a promotion whose
 *      config.json already names the next key) or at the next charter notice.
 *
 * Consequences (docs/operators-guide.md "Rotating the witness key"): members check our cosignatures
 * against the charter, so from that version on only the new key counts; cosignatures made with the old
 * key that arrive late are refused. Logs outside the federation that use this node as a tlog-witness
 * know its key out of band: give them the new one (`govfed member card` shows it).
 */
import { rm } from 'node:fs/promises';
import type { CharterChain, Member } from '../../protocol/federation/index.ts';
import { charterDigest, nextCharter, signCharter } from '../../protocol/federation/index.ts';
import type { NoteSigner } from '../../protocol/note/index.ts';
import { errorText } from '../chain/index.ts';
import { NodeError } from '../errors.ts';
import { homePaths } from '../home/config.ts';
import { exists, writeFileAtomic } from '../home/fs.ts';
import { newWitnessKey, parseWitnessKey } from '../home/keys.ts';
import { readSecret } from '../home/load.ts';
import { writeMemberCard } from '../home/member-card.ts';
import type { CharterChanges } from './changes.ts';
import type { CharterModule } from './charter-module.ts';
import type { FederationCore } from './core.ts';
import type { FederationContext, FederationModule } from './module.ts';
import { PROPOSAL_TTL_MS } from './pending.ts';
import type { FederationStatus, ProposalView } from './views.ts';

/** The next witness key's signer, while its charter change is pending. */
export function nextWitnessKeyPath(dir: string): string {
  return `${homePaths(dir).witnessKey}.next`;
}

export class KeyRotation implements FederationModule {
  readonly name = 'keys';
  readonly #c: FederationCore;
  readonly #changes: CharterChanges;
  readonly #charter: CharterModule;
  /** The running witness's signer lives here (the daemon's LoadedHome), when there is one. */
  readonly #home: { witnessSigner?: NoteSigner };
  #promoting: Promise<void> = Promise.resolve();

  constructor(
    core: FederationCore,
    changes: CharterChanges,
    charter: CharterModule,
    home: { witnessSigner?: NoteSigner },
  ) {
    this.#c = core;
    this.#changes = changes;
    this.#charter = charter;
    this.#home = home;
  }

  attach(_ctx: FederationContext): void {}

  onCharter(chain: CharterChain): void {
    this.#promoting = this.#promoting.then(() => this.#promote(chain));
  }

  /** Resolves when the promotions started so far are done (tests, the API's answer). */
  idle(): Promise<void> {
    return this.#promoting;
  }

  /** Proposes a new witness key for this member (see the top of this file). */
  async rotateWitness(): Promise<ProposalView | FederationStatus> {
    const chain = this.#c.requireChain();
    const self = chain.current.members.find((m) => m.peerId === this.#c.peerId);
    if (self === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node is not a member of its charter');
    const fresh = newWitnessKey(this.#c.home.config.org);
    const members: Member[] = chain.current.members.map((m) =>
      m.peerId === this.#c.peerId ? { ...m, witnessKey: fresh.verifierKey } : m,
    );
    const next = nextCharter(chain.current, {
      createdAt: this.#c.now().toISOString(),
      expiresAt: this.#c.expiry(PROPOSAL_TTL_MS),
      members,
    });
    this.#charter.rc.assertNoConflict(next.version, charterDigest(next));
    await writeFileAtomic(nextWitnessKeyPath(this.#c.home.dir), `${fresh.signerKey}\n`, 0o600);
    const result = await this.#changes.propose(signCharter(next, this.#c.seed));
    await this.#charter.rc.tail.idle();
    await this.idle();
    return result;
  }

  /** Makes the next key this node's once the charter lists it for us. Failures are events, not throws. */
  async #promote(chain: CharterChain): Promise<void> {
    const dir = this.#c.home.dir;
    const file = nextWitnessKeyPath(dir);
    try {
      if (!(await exists(file))) return;
      const next = parseWitnessKey((await readSecret(file)).toString('utf8'));
      const self = chain.current.members.find((m) => m.peerId === this.#c.peerId);
      if (self?.witnessKey !== next.verifierKey) return;
      const config = this.#c.home.config;
      config.witnessKey = next.verifierKey;
      const paths = homePaths(dir);
      await writeFileAtomic(paths.config, `${JSON.stringify(config, null, 2)}\n`, 0o644);
      await writeFileAtomic(paths.witnessKey, await readSecret(file), 0o600);
      await rm(file, { force: true });
      this.#home.witnessSigner = next.signer;
      await writeMemberCard(dir, config);
      this.#c.events('keys:rotated', { key: 'witness', verifierKey: next.verifierKey, version: chain.version });
    } catch (err) {
      this.#c.events('federation:error', { error: `witness key rotation: ${errorText(err)}` });
    }
  }
}
