/**
 * The witness's view of the charter: each member's log (origin → owner and the log's verifier) and
 * each member's witness key (org → cosignature verifier), rebuilt on every accepted charter version.
 * A member whose key does not parse is left out (its log cannot be witnessed or proved, its witness
 * cannot cosign) rather than failing the charter.
 */

import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { GovfedError } from '../../protocol/errors.ts';
import {
  type Charter,
  type CharterChain,
  type Member,
  memberLogKeys,
  witnessThreshold,
} from '../../protocol/federation/index.ts';
import type { KeyedVerifier } from '../../protocol/note/index.ts';
import { parseLogKey, parseWitnessKey } from '../../protocol/witness/keys.ts';
import { knownLogsFromKeys } from '../../protocol/witness/witness.ts';

/** A member log: its owner and the log's verifier. */
export interface MemberLog {
  member: Member;
  verifier: KeyedVerifier;
  /** One of the member's retiredLogKeys (rotated away from): it takes no entries but is still witnessed. */
  retired?: true;
}

type KeyKind = 'log' | 'witness';

/**
 * A member's log or witness key as a verifier; undefined when it does not parse (a broken log key: the
 * log is not witnessed and its entries cannot be proved; a broken witness key: it cannot cosign).
 */
function parseKey(kind: KeyKind, key: string, verify: { verify: Ed25519Verify }): KeyedVerifier | undefined {
  try {
    return kind === 'log' ? parseLogKey(key, verify) : parseWitnessKey(key, verify);
  } catch {
    return undefined;
  }
}

export class MemberLogs {
  readonly #ownOrg: string;
  /** Every log and witness verifier built here checks signatures with it. */
  readonly #verify: { verify: Ed25519Verify };
  #chain: CharterChain | undefined;
  #logs = new Map<string, MemberLog>();
  #witnessKeys = new Map<string, KeyedVerifier>();
  /**
   * Verifiers by key text, as parsed for the charter held (undefined: the key does not parse). A new
   * version mostly repeats the members' keys: those are not parsed again (a verifier is a pure
   * function of its key text and of #verify).
   */
  #parsed = new Map<string, KeyedVerifier | undefined>();

  constructor(ownOrigin: string, verify: Ed25519Verify) {
    this.#ownOrg = ownOrigin.split('/')[1] ?? '';
    this.#verify = { verify };
  }

  /** Takes a newly accepted charter chain. */
  update(chain: CharterChain): void {
    const logs = new Map<string, MemberLog>();
    const witnesses = new Map<string, KeyedVerifier>();
    const parsed = new Map<string, KeyedVerifier | undefined>();
    const parse = (kind: KeyKind, key: string): KeyedVerifier | undefined => {
      const id = `${kind} ${key}`;
      const v = this.#parsed.has(id) ? this.#parsed.get(id) : parseKey(kind, key, this.#verify);
      parsed.set(id, v);
      return v;
    };
    for (const m of chain.current.members) {
      for (const key of memberLogKeys(m)) {
        const v = parse('log', key);
        if (v !== undefined) {
          logs.set(v.name, { member: m, verifier: v, ...(key === m.logKey ? {} : { retired: true as const }) });
        }
      }
      const w = m.witnessKey === undefined ? undefined : parse('witness', m.witnessKey);
      if (w !== undefined) witnesses.set(m.org, w);
    }
    this.#chain = chain;
    this.#logs = logs;
    this.#witnessKeys = witnesses;
    this.#parsed = parsed;
  }

  get chain(): CharterChain | undefined {
    return this.#chain;
  }

  get charter(): Charter | undefined {
    return this.#chain?.current;
  }

  /** Member logs by origin (this node's own included). */
  entries(): IterableIterator<[string, MemberLog]> {
    return this.#logs.entries();
  }

  get(origin: string): MemberLog | undefined {
    return this.#logs.get(origin);
  }

  /** The member log of `origin`, or ERR_UNKNOWN_ORIGIN. */
  require(origin: string): MemberLog {
    const l = this.#logs.get(origin);
    if (l === undefined) throw new GovfedError('ERR_UNKNOWN_ORIGIN', `no member has a log with origin ${origin}`);
    return l;
  }

  /** The witness key of `org`, if the charter lists one that parses. */
  witnessKey(org: string): KeyedVerifier | undefined {
    return this.#witnessKeys.get(org);
  }

  /** Every witness key but `org`'s own (a log's owner does not witness itself). */
  witnessKeysBut(org: string): KeyedVerifier[] {
    return [...this.#witnessKeys.entries()].filter(([o]) => o !== org).map(([, v]) => v);
  }

  /** Every member's witness key but `org`'s own, by org. */
  witnessesBut(org: string): [string, KeyedVerifier][] {
    return [...this.#witnessKeys.entries()].filter(([o]) => o !== org);
  }

  /** The member with peer id `peer`, in the current charter. */
  memberByPeer(peer: string): Member | undefined {
    return this.#chain?.member(peer);
  }

  /** The origin of the member log whose verifier key is `vkey`. */
  originOfKey(vkey: string): string | undefined {
    for (const [origin, l] of this.#logs) if (l.verifier.vkey === vkey) return origin;
    return undefined;
  }

  /** Cosignatures that make a checkpoint of `member`'s log witnessed (0 without a charter). */
  k(member: Member): number {
    const charter = this.charter;
    return charter === undefined ? 0 : witnessThreshold(charter, member.org);
  }

  /** The logs this node witnesses: other members' (by the charter, retired ones too) and the external ones. */
  knownLogs(external: readonly string[]): Map<string, KeyedVerifier[]> {
    const known = new Map<string, KeyedVerifier[]>();
    for (const [origin, l] of this.#logs) {
      if (l.member.org !== this.#ownOrg) known.set(origin, [l.verifier]);
    }
    for (const [origin, vs] of knownLogsFromKeys(external, this.#verify)) {
      if (!known.has(origin)) known.set(origin, vs as KeyedVerifier[]);
    }
    return known;
  }
}
