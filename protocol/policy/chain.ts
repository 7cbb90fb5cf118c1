/**
 * The policy chain a node holds: every global bundle version it applied, oldest first.
 *
 * Pure state, like protocol/federation's CharterChain: the node persists the envelopes and rebuilds with
 * PolicyChain.fromEnvelopes (which re-verifies everything against the current charter). `accept` is
 * the only way forward and takes exactly one step. For an envelope (attacker-controlled) it answers:
 *   - a version held, same digest                  → { status: 'duplicate' } (a replay; harmless)
 *   - another federation's bundle                  → ERR_FEDERATION_MISMATCH
 *   - a lower version, other digest                → ERR_POLICY_ROLLBACK
 *   - a version more than one ahead                → ERR_POLICY_GAP (sync the versions between first)
 *   - a signature by a non-member / a bad one      → ERR_UNKNOWN_SIGNER / ERR_BAD_SIGNATURE
 *   - the current version, other digest, complete  → ERR_POLICY_FORK; kept in forks() as evidence,
 *                                                    the current bundle stays (incomplete: ERR_POLICY_THRESHOLD)
 *   - version current+1 with the wrong previous    → ERR_POLICY_PREVIOUS
 *   - fewer valid member signatures than required  → ERR_POLICY_THRESHOLD
 *   - already expired at `now`                     → ERR_POLICY_EXPIRED
 *   - otherwise                                    → { status: 'applied' }
 *
 * Catching up (`acceptRun`, and `fromEnvelopes` at restart) takes versions current+1..n at once, like
 * TUF's skipping of intermediate metadata: only the newest, n, must be fully signed under today's charter
 * (and, for acceptRun, unexpired) — it is what gets enforced. The versions before it are authenticated
 * by the hash chain n → n−1 → … → current (each `previous` names its predecessor's digest), so a node
 * that was offline for months, or that joined late, can take a history whose old versions have expired
 * or were signed under an older charter (other members, another policy threshold). If the newest
 * version is not fully signed under today's charter, nothing is taken (ERR_POLICY_THRESHOLD): the
 * members re-endorse the baseline by publishing the next version.
 */
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { parseEnvelope } from '../dsse/index.ts';
import { GovfedError } from '../errors.ts';
import type { CharterChain } from '../federation/chain.ts';
import type { Charter } from '../federation/charter.ts';
import type { Envelope } from '../federation/envelope.ts';
import { BASELINE_ENVELOPE_LIMITS, baselineDigest, decodeBaselineEnvelope, type PolicyBaseline } from './baseline.ts';
import { bundleStatus } from './signing.ts';

export interface PolicyEntry {
  version: number;
  bundle: PolicyBaseline;
  /** The envelope as accepted (normalised). */
  envelope: Envelope;
  digest: string;
  /** Member peer ids whose signatures verified, sorted. */
  signedBy: string[];
}

export interface PolicyAcceptResult {
  status: 'applied' | 'duplicate';
  entry: PolicyEntry;
}

export interface PolicyFork {
  version: number;
  ours: Envelope;
  theirs: Envelope;
}

export const MAX_POLICY_FORKS = 16;
/** Most entries `since` returns by default (one sync answer). */
export const MAX_SINCE = 32;

export class PolicyChain {
  readonly federationId: string;
  readonly #entries: PolicyEntry[] = [];
  readonly #forks: PolicyFork[] = [];
  /** The Ed25519 verifier every bundle of this chain is checked with; pass it on to related checks. */
  readonly verifyOptions: VerifyOptions;

  /** An empty chain; `opts.verify` checks every signature this chain accepts. */
  constructor(federationId: string, opts: VerifyOptions = {}) {
    this.federationId = federationId;
    this.verifyOptions = { verify: opts.verify };
  }

  /**
   * Rebuilds from stored envelopes (versions 1..n in order), verifying each against `charter` — the
   * current one, or a CharterChain. Expiry is not checked (old versions are expected to have expired).
   */
  static fromEnvelopes(
    federationId: string,
    envelopes: readonly Envelope[],
    charter: Charter | CharterChain,
    opts: VerifyOptions = {},
  ): PolicyChain {
    const chain = new PolicyChain(federationId, opts);
    const versions = envelopes.map((env) => decodeBaselineEnvelope(env).bundle.version);
    if (versions.some((v, i) => v !== i + 1)) {
      throw new GovfedError('ERR_POLICY_GAP', 'the stored chain is not versions 1..n in order');
    }
    if (envelopes.length > 0) chain.#acceptRun(envelopes, charter, null);
    return chain;
  }

  /** The applied (newest) bundle, if any. */
  get current(): PolicyEntry | undefined {
    return this.#entries[this.#entries.length - 1];
  }

  /** The applied version; 0 when none. */
  get version(): number {
    return this.#entries.length;
  }

  /** True when the applied bundle is past its expiresAt at `now` (ms since the epoch). */
  isExpired(now: number): boolean {
    const c = this.current;
    return c !== undefined && now >= Date.parse(c.bundle.expiresAt);
  }

  /** Every applied version, oldest first (index i holds version i+1). */
  versions(): readonly PolicyEntry[] {
    return [...this.#entries];
  }

  /** Entries of versions >= from, oldest first, within `limits` (serialised envelope bytes): a sync answer. */
  since(
    from: number,
    limits: { maxCount: number; maxBytes: number } = { maxCount: MAX_SINCE, maxBytes: 4 << 20 },
  ): PolicyEntry[] {
    const out: PolicyEntry[] = [];
    let bytes = 0;
    for (let v = Math.max(1, Math.floor(from)); v <= this.version && out.length < limits.maxCount; v++) {
      const e = this.#entries[v - 1] as PolicyEntry;
      const size = JSON.stringify(e.envelope).length;
      if (bytes + size > limits.maxBytes) break;
      bytes += size;
      out.push(e);
    }
    return out;
  }

  /** Forks seen (each a pair of complete, validly signed bundles with one version). */
  forks(): readonly PolicyFork[] {
    return [...this.#forks];
  }

  /**
   * Takes versions current+1..n (oldest first, contiguous; leading versions already held with the same
   * digest are skipped) all at once, or nothing: see "Catching up" at the top. Returns the entries taken
   * (empty when every one was a duplicate); the last is the applied bundle.
   */
  acceptRun(envs: readonly Envelope[], charter: Charter | CharterChain, now: number): PolicyEntry[] {
    return this.#acceptRun(envs, charter, now);
  }

  #acceptRun(envs: readonly Envelope[], charter: Charter | CharterChain, now: number | null): PolicyEntry[] {
    let rest = [...envs];
    // Skip what we hold already; anything else at a held version gets the single-step answer (fork, rollback).
    while (rest.length > 0) {
      const first = rest[0] as Envelope;
      const { bundle } = decodeBaselineEnvelope(first);
      if (bundle.version > this.version) break;
      this.#accept(first, charter, now);
      rest = rest.slice(1);
    }
    if (rest.length === 0) return [];
    if (rest.length === 1) return [this.#accept(rest[0] as Envelope, charter, now).entry];
    const taken: PolicyEntry[] = [];
    let previous = this.current?.digest ?? null;
    let version = this.version;
    for (const env of rest.slice(0, -1)) {
      const { bundle } = decodeBaselineEnvelope(env);
      if (bundle.federationId !== this.federationId) {
        throw new GovfedError('ERR_FEDERATION_MISMATCH', `bundle of federation ${bundle.federationId}`);
      }
      if (bundle.version !== version + 1) {
        throw new GovfedError('ERR_POLICY_GAP', `version ${bundle.version} where ${version + 1} was expected`);
      }
      if (bundle.previous !== previous) {
        throw new GovfedError('ERR_POLICY_PREVIOUS', `previous of version ${bundle.version} does not name ${version}`);
      }
      const digest = baselineDigest(bundle);
      // Authenticated by the newest version's hash chain, checked below; not by signatures of today's members.
      taken.push({ version: bundle.version, bundle, envelope: normalise(env), digest, signedBy: [] });
      previous = digest;
      version = bundle.version;
    }
    // The newest must pass every check of a single step, on top of the intermediate versions.
    const probe = new PolicyChain(this.federationId, this.verifyOptions);
    probe.#entries.push(...this.#entries, ...taken);
    const head = probe.#accept(rest.at(-1) as Envelope, charter, now).entry;
    this.#entries.push(...taken, head);
    return [...taken, head];
  }

  /** Takes the next version, or says why not (see the comment at the top). `now`: ms since the epoch. */
  accept(env: Envelope, charter: Charter | CharterChain, now: number): PolicyAcceptResult {
    return this.#accept(env, charter, now);
  }

  #accept(env: Envelope, charter: Charter | CharterChain, now: number | null): PolicyAcceptResult {
    const { bundle } = decodeBaselineEnvelope(env);
    if (bundle.federationId !== this.federationId) {
      throw new GovfedError('ERR_FEDERATION_MISMATCH', `bundle of federation ${bundle.federationId}`);
    }
    const v = bundle.version;
    const digest = baselineDigest(bundle);
    const held = this.#entries[v - 1];
    if (held !== undefined && held.digest === digest) return { status: 'duplicate', entry: held };
    if (v < this.version) throw new GovfedError('ERR_POLICY_ROLLBACK', `version ${v} is older than ${this.version}`);
    if (v > this.version + 1) {
      throw new GovfedError('ERR_POLICY_GAP', `version ${v} but we hold ${this.version}: sync the versions between`);
    }
    const status = bundleStatus(env, charter, this.federationId, this.verifyOptions);
    if (held !== undefined) {
      if (!status.complete) throw threshold(status.signedBy.length, status.required);
      this.#recordFork({ version: v, ours: held.envelope, theirs: normalise(env) });
      throw new GovfedError('ERR_POLICY_FORK', `two fully signed bundles with version ${v}; keeping ours`);
    }
    const expectedPrevious = this.current?.digest ?? null;
    if (bundle.previous !== expectedPrevious) {
      throw new GovfedError('ERR_POLICY_PREVIOUS', `previous does not name version ${this.version}`);
    }
    if (!status.complete) throw threshold(status.signedBy.length, status.required);
    if (now !== null && now >= Date.parse(bundle.expiresAt)) {
      throw new GovfedError('ERR_POLICY_EXPIRED', `bundle version ${v} expired at ${bundle.expiresAt}`);
    }
    const entry: PolicyEntry = { version: v, bundle, envelope: normalise(env), digest, signedBy: status.signedBy };
    this.#entries.push(entry);
    return { status: 'applied', entry };
  }

  #recordFork(f: PolicyFork): void {
    const dup = this.#forks.some((x) => x.version === f.version && x.theirs.payload === f.theirs.payload);
    if (!dup && this.#forks.length < MAX_POLICY_FORKS) this.#forks.push(f);
  }
}

function threshold(got: number, required: number): GovfedError {
  return new GovfedError('ERR_POLICY_THRESHOLD', `${got} valid member signature(s), ${required} required`);
}

function normalise(env: Envelope): Envelope {
  return parseEnvelope(env, BASELINE_ENVELOPE_LIMITS);
}
