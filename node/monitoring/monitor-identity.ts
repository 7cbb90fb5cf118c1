/**
 * The node's monitor identity: the person through whom a node's monitors pull the kill switch
 * (docs/monitoring.md "Suspending on a breach"). A kill-switch record is believed only from a risk
 * officer of a member's roster (docs/contracts.md), so the node keeps one of its own: the person
 * `monitor` with the role `risk_officer` in its org's roster, whose key — DIR/keys/monitor.key (PKCS #8
 * PEM, 0600) — is made by the node the first time a monitor with `onBreach: "suspend"` breaches, and
 * added to the roster then (a new roster version, signed by the node and gossiped like any other).
 *
 * Its suspension is an ordinary record: logged, gossiped, lapsing after the charter's suspension time
 * unless ratified by the revocation threshold of distinct risk officers — a monitor stops a model at
 * once everywhere, people decide whether it stays stopped.
 *
 * On a home whose log is in PostgreSQL the key is kept in the database (state `keys/monitor`,
 * node/home/pg-state.ts) instead: the roster names ONE monitor key for the org, and the process that takes
 * over the writer lease in another home must sign with that key — a key made per process would not be the
 * roster's, and its suspensions would be refused (ensure() throws on the mismatch). The database already
 * holds the org's raw decision records; who can read it can read this key too (docs/operators-guide.md).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '../../protocol/crypto/ed25519.ts';
import type { Envelope } from '../../protocol/dsse/index.ts';
import { toBase64 } from '../../protocol/encoding/bytes.ts';
import { type ModelRef, signRevocation } from '../../protocol/registry/index.ts';
import type { Roster } from '../../protocol/registry/roster.ts';
import type { StateBackend, StateStorage } from '../home/state-backend.ts';
import {
  type IdentityKey,
  identityKeyPem,
  parseIdentityKey,
  readIdentityKey,
  writeIdentityKey,
} from '../registry/identity-key.ts';

export const MONITOR_PERSON = 'monitor';
export const MONITOR_ROLE = 'risk_officer';

export interface MonitorIdentityOptions {
  homeDir: string;
  /**
   * The home's state storage: on a home whose log is in PostgreSQL the key is the database's state
   * `keys/monitor` (shared by every process of the org), not DIR/keys/monitor.key.
   */
  storage?: StateStorage;
  org: string;
  rosters: {
    roster(org: string): Roster | undefined;
    addPerson(p: { name: string; role: 'risk_officer'; publicKey: Uint8Array }): Promise<unknown>;
  };
  now: () => Date;
}

export class MonitorIdentity {
  readonly #o: MonitorIdentityOptions;
  #key: Promise<IdentityKey> | undefined;
  #ensuring: Promise<unknown> | undefined;

  constructor(o: MonitorIdentityOptions) {
    this.#o = o;
  }

  get file(): string {
    return join(this.#o.homeDir, 'keys', 'monitor.key');
  }

  /** The key, made on first use; the person on this org's roster, added when missing (calls serialised). */
  ensure(): Promise<IdentityKey> {
    const run = (this.#ensuring ?? Promise.resolve()).catch(() => {}).then(() => this.#ensureNow());
    this.#ensuring = run;
    return run;
  }

  async #ensureNow(): Promise<IdentityKey> {
    this.#key ??= this.#load().catch((err: unknown) => {
      this.#key = undefined;
      throw err;
    });
    const key = await this.#key;
    const mine = this.#o.rosters.roster(this.#o.org)?.people.find((p) => p.name === MONITOR_PERSON);
    if (mine === undefined) {
      await this.#o.rosters.addPerson({ name: MONITOR_PERSON, role: MONITOR_ROLE, publicKey: key.publicKey });
    } else if (mine.publicKey !== toBase64(key.publicKey) || mine.role !== MONITOR_ROLE) {
      throw new Error(
        `the roster's ${MONITOR_PERSON} is not this node's monitor key (${this.file}) as ${MONITOR_ROLE}`,
      );
    }
    return key;
  }

  /** A suspension of `model` (digest `digest`) for `reason`, signed by the monitor identity. */
  async suspension(federation: string, model: ModelRef, digest: string, reason: string): Promise<Envelope> {
    const key = await this.ensure();
    return signRevocation(
      digest,
      {
        federation,
        model,
        action: 'suspend',
        reason,
        signer: { org: this.#o.org, name: MONITOR_PERSON, role: MONITOR_ROLE },
        issuedAt: this.#o.now().toISOString(),
      },
      { keyid: key.keyid, seed: key.seed },
    );
  }

  async #load(): Promise<IdentityKey> {
    if (this.#o.storage?.kind === 'postgres') return this.#loadShared(this.#o.storage.backend('keys/monitor'));
    const exists = await access(this.file).then(
      () => true,
      () => false,
    );
    if (!exists) await writeIdentityKey(this.file, generateKeyPair().seed);
    return await readIdentityKey(this.file);
  }

  /**
   * The key as a state of the org's database (node/home/pg-state.ts): made once by the process holding
   * the writer lease (a fenced write) and read by every later leader, so the org's monitor signs with
   * one key whichever process runs it.
   */
  async #loadShared(b: StateBackend): Promise<IdentityKey> {
    let pem = await b.read();
    if (pem === undefined) {
      await b.write(Buffer.from(identityKeyPem(generateKeyPair().seed), 'utf8'));
      pem = await b.read();
      if (pem === undefined) throw new Error(`${b.where}: the monitor key was not stored`);
    }
    return parseIdentityKey(pem, b.where);
  }
}
