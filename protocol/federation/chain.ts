/**
 * The charter chain a node holds: every version from the genesis it pinned to the newest it accepted.
 *
 * Pure state — the node persists the envelopes and rebuilds the chain with CharterChain.fromEnvelopes
 * (which re-verifies everything) on start. `accept` is the only way forward and takes exactly one
 * step: version current+1, verified against the current version (verify.ts). What it does with
 * anything else:
 *   - a version it holds with the same digest            → { status: 'duplicate' } (a replay; harmless)
 *   - a lower version with another digest                → ERR_CHARTER_STALE (never roll back)
 *   - the current version with another digest, validly
 *     signed by the previous version's members           → ERR_CHARTER_FORK; both envelopes are kept as
 *                                                          evidence (forks()), ours stays current
 *   - another genesis                                    → ERR_FEDERATION_MISMATCH
 *   - a version more than one ahead                      → ERR_CHARTER_GAP (caller must sync first)
 *   - version current+1 that fails verification         → that check's code (ERR_CHARTER_PREVIOUS,
 *                                                          ERR_BAD_SIGNATURE, ERR_THRESHOLD_NOT_MET, …)
 * A forged "fork" (not validly signed) is reported by its verification failure, not as a fork, and is
 * not stored: only proof that members equivocated is evidence.
 */

import type { VerifyOptions } from '../crypto/ed25519.ts';
import { parseEnvelope } from '../dsse/index.ts';
import { GovfedError } from '../errors.ts';
import { type Charter, charterDigest, type Member, memberByPeerId } from './charter.ts';
import type { Envelope } from './envelope.ts';
import { CHARTER_ENVELOPE_LIMITS, charterOf, type ProposalStatus, proposalStatus } from './proposal.ts';
import { completeNext, verifyGenesis, verifyNext } from './verify.ts';

export interface ChainEntry {
  version: number;
  /** `sha256:` + hex of the canonical charter bytes. */
  digest: string;
  charter: Charter;
  /** The envelope as accepted (normalised: standard base64). */
  envelope: Envelope;
  /** Peer ids whose signatures verified, sorted. */
  signedBy: string[];
}

export interface ForkEvidence {
  version: number;
  /** Our version (still current). */
  ours: Envelope;
  /** A different version with the same number, validly signed by the previous version's members. */
  theirs: Envelope;
}

export interface AcceptResult {
  status: 'accepted' | 'duplicate';
  entry: ChainEntry;
}

/** Forks remembered per chain (each is a complete, signed proof; more adds nothing but memory). */
export const MAX_FORK_EVIDENCE = 16;

export class CharterChain {
  /** 64 hex digits: SHA-256 of the genesis bytes. */
  readonly federationId: string;
  readonly #entries: ChainEntry[];
  readonly #forks: ForkEvidence[] = [];
  /** The last proposalStatus: against which head, of which envelope (envelopeText), and what it said. */
  #last: { head: string; envelope: string; status: ProposalStatus } | undefined;
  /** The Ed25519 verifier every step of this chain is checked with; pass it on to related checks. */
  readonly verifyOptions: VerifyOptions;

  /**
   * Starts from a genesis envelope, verified (all founders signed) and, if given, matched to the pin.
   * `opts.verify` checks every signature of this chain, now and in accept/proposalStatus.
   */
  constructor(genesis: Envelope, pinnedFederationId?: string, opts: VerifyOptions = {}) {
    this.verifyOptions = { verify: opts.verify };
    const g = verifyGenesis(genesis, pinnedFederationId, this.verifyOptions);
    this.federationId = g.federationId;
    this.#entries = [
      { version: 1, digest: g.digest, charter: g.charter, envelope: normalise(genesis), signedBy: g.signedBy },
    ];
  }

  /**
   * Rebuilds a chain from its envelopes (versions 1..n in order), verifying each step; `pinned` is
   * the federation id the genesis must have. A repeated version throws ERR_CHARTER_STALE.
   */
  static fromEnvelopes(
    pinnedFederationId: string,
    envelopes: readonly Envelope[],
    opts: VerifyOptions = {},
  ): CharterChain {
    const [genesis, ...rest] = envelopes;
    if (genesis === undefined) throw new GovfedError('ERR_INVALID_INPUT', 'a chain needs its genesis');
    const chain = new CharterChain(genesis, pinnedFederationId, opts);
    for (const env of rest) {
      if (chain.accept(env).status === 'duplicate') {
        throw new GovfedError('ERR_CHARTER_STALE', 'the chain repeats a version');
      }
    }
    return chain;
  }

  /** The newest accepted version. */
  get current(): Charter {
    return this.head.charter;
  }

  get head(): ChainEntry {
    return this.#entries[this.#entries.length - 1] as ChainEntry;
  }

  /** The newest accepted version number. */
  get version(): number {
    return this.#entries.length;
  }

  /** Every accepted version, oldest first (index i holds version i+1). */
  versions(): readonly ChainEntry[] {
    return [...this.#entries];
  }

  entry(version: number): ChainEntry | undefined {
    return Number.isSafeInteger(version) && version >= 1 ? this.#entries[version - 1] : undefined;
  }

  /** True when `peerId` is a member of the current version (or of `version`, when given). */
  isMember(peerId: string, version: number = this.version): boolean {
    const e = this.entry(version);
    return e !== undefined && memberByPeerId(e.charter, peerId) !== undefined;
  }

  /** The current member with this peer id. */
  member(peerId: string): Member | undefined {
    return memberByPeerId(this.current, peerId);
  }

  /** Forks seen so far (see the comment at the top). */
  forks(): readonly ForkEvidence[] {
    return [...this.#forks];
  }

  /** proposalStatus of a pending change against the current version. */
  proposalStatus(env: Envelope): ProposalStatus {
    const status = proposalStatus(this.current, env, this.verifyOptions);
    const text = envelopeText(env);
    this.#last = text === undefined ? undefined : { head: this.head.digest, envelope: text, status };
    return status;
  }

  /**
   * The status proposalStatus last made, when it was made against the current head for an envelope
   * with the same bytes as `env` (compared by value: a copy with another signature is not it). A
   * node checks a received version's status, then accepts it: the second verification of the same
   * bytes against the same head by the same verifier could only give the same answer.
   */
  #statusFor(env: Envelope): ProposalStatus | undefined {
    const last = this.#last;
    if (last === undefined || last.head !== this.head.digest) return undefined;
    const text = envelopeText(env);
    return text !== undefined && text === last.envelope ? last.status : undefined;
  }

  /** Takes the next version, or says why not (attacker-controlled `env`; see the comment at the top). */
  accept(env: Envelope): AcceptResult {
    const checked = this.#statusFor(env);
    const charter = checked?.charter ?? charterOf(env);
    const v = charter.version;
    if (v <= this.version) {
      const ours = this.#entries[v - 1] as ChainEntry;
      if (ours.digest === charterDigest(charter)) return { status: 'duplicate', entry: ours };
      if (v === 1) throw new GovfedError('ERR_FEDERATION_MISMATCH', 'a different genesis: another federation');
      if (v < this.version) {
        throw new GovfedError('ERR_CHARTER_STALE', `version ${v} is older than current ${this.version}`);
      }
      verifyNext((this.#entries[v - 2] as ChainEntry).charter, env, this.verifyOptions);
      this.#recordFork({ version: v, ours: ours.envelope, theirs: normalise(env) });
      throw new GovfedError('ERR_CHARTER_FORK', `two validly signed charters with version ${v}`);
    }
    if (v > this.version + 1) {
      throw new GovfedError('ERR_CHARTER_GAP', `version ${v} but we hold ${this.version}: sync the versions between`);
    }
    const verified = checked !== undefined ? completeNext(checked) : verifyNext(this.current, env, this.verifyOptions);
    const entry: ChainEntry = {
      version: v,
      digest: verified.digest,
      charter: verified.charter,
      envelope: normalise(env),
      signedBy: verified.signedBy,
    };
    this.#entries.push(entry);
    return { status: 'accepted', entry };
  }

  /**
   * Envelopes of versions >= from, oldest first, at most `maxCount` of them and at most `maxBytes`
   * of serialised envelope JSON in total (a sync response; see sync.ts).
   */
  envelopesFrom(from: number, limits: { maxCount: number; maxBytes: number }): Envelope[] {
    const out: Envelope[] = [];
    let bytes = 0;
    for (let v = Math.max(1, Math.floor(from)); v <= this.version && out.length < limits.maxCount; v++) {
      const env = (this.#entries[v - 1] as ChainEntry).envelope;
      const size = JSON.stringify(env).length;
      if (bytes + size > limits.maxBytes) break;
      bytes += size;
      out.push(env);
    }
    return out;
  }

  #recordFork(f: ForkEvidence): void {
    const dup = this.#forks.some((x) => x.version === f.version && x.theirs.payload === f.theirs.payload);
    if (!dup && this.#forks.length < MAX_FORK_EVIDENCE) this.#forks.push(f);
  }
}

/**
 * The envelope as JSON, to compare envelopes by value (attacker-controlled: every field and extra
 * field is in it, so two envelopes with the same text hold the same values in the same order); undefined
 * when it has none (nothing is then remembered or reused).
 */
function envelopeText(env: Envelope): string | undefined {
  try {
    return JSON.stringify(env);
  } catch {
    return undefined;
  }
}

function normalise(env: Envelope): Envelope {
  return parseEnvelope(env, CHARTER_ENVELOPE_LIMITS);
}

/**
 * Verifies a whole chain from the pinned genesis (attacker-controlled `envelopes`, versions 1..n in
 * order) and returns it. Throws the code of the first failing step.
 */
export function verifyChain(
  pinnedGenesisId: string,
  envelopes: readonly Envelope[],
  opts: VerifyOptions = {},
): CharterChain {
  return CharterChain.fromEnvelopes(pinnedGenesisId, envelopes, opts);
}
