/**
 * Member cards: everything an inviter needs to know about a node that wants to join, in one file the
 * node signs with its libp2p peer key.
 *
 *   DSSE envelope { payloadType: "application/vnd.govfed.member-card+json",
 *                   payload: base64(JCS({ "type": "govfed.member-card/v1", "org", "jurisdiction",
 *                                         "peerId", "logKey"?, "witnessKey"?, "addresses": […],
 *                                         "createdAt" })),
 *                   signatures: [{ keyid: <peerId>, sig }] }
 *
 * The card is checked by its signature, not by its bytes: the file may be re-indented (`jq .`, an
 * editor) and still verify, because what is signed is the base64 payload inside it; changing any value
 * changes the payload or breaks the base64, and fails. The signer must be the peer the card names, so
 * a card proves possession of the peer key it introduces (as the invitee's own charter signature will).
 * `logKey` and `witnessKey` are optional in the format (a node may have none yet), but an inviter that
 * admits a member without them makes its entries unprovable to others — the node refuses that unless
 * asked explicitly. `addresses` are where the node listens (multiaddrs ending in /p2p/<peerId>); empty
 * when it listens on a wildcard or a random port and so has no address others could dial.
 *
 * verifyMemberCard (attacker-controlled input) is a checklist:
 *   1. size     at most MAX_MEMBER_CARD_BYTES, JSON (any layout)          ERR_MALFORMED_MEMBER_CARD
 *   2. envelope a DSSE envelope, payloadType the card's                  ERR_MALFORMED_ENVELOPE,
 *                                                                        ERR_PAYLOAD_TYPE_MISMATCH
 *   3. signer   exactly one signature, keyid a peer id                    ERR_MALFORMED_MEMBER_CARD
 *   4. sig      verifies over PAE under the keyid's peer key             ERR_BAD_SIGNATURE
 *   5. payload  canonical JSON, exact fields, bounded values             ERR_MALFORMED_MEMBER_CARD
 *   6. identity payload peerId is the signer                              ERR_UNKNOWN_SIGNER
 *   7. keys     logKey an Ed25519 key named govfed/<org>/…; witnessKey    ERR_MALFORMED_VERIFIER_KEY
 *               a cosignature/v1 key named govfed/<org>/witness
 */

import { isJurisdiction, isPlainObject, isRfc3339Utc } from '../audit/fields.ts';
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { type Envelope, parseEnvelope } from '../dsse/index.ts';
import { fromUtf8, utf8 } from '../encoding/bytes.ts';
import { parseStrictJson } from '../encoding/strict-json.ts';
import { GovfedError } from '../errors.ts';
import { parseLogKey, parseWitnessKey, witnessName } from '../witness/keys.ts';
import { ORG_PATTERN, WITNESS_KEY_PATTERN } from './charter.ts';
import { signAsPeer, verifyPeerSigned } from './envelope.ts';
import { bootstrapPeer, isMemberMultiaddr } from './invite.ts';
import { isPeerId } from './peer-id.ts';

export const MEMBER_CARD_TYPE = 'govfed.member-card/v1';
export const MEMBER_CARD_PAYLOAD_TYPE = 'application/vnd.govfed.member-card+json';
/** Largest card file accepted (any layout): a card is about 1 KiB. */
export const MAX_MEMBER_CARD_BYTES = 16 * 1024;
/** Most listen addresses a card carries. */
export const MAX_CARD_ADDRESSES = 8;
const MAX_CARD_PAYLOAD_BYTES = 8 * 1024;
const ORG_RE = new RegExp(ORG_PATTERN);
const KEY_RE = new RegExp(WITNESS_KEY_PATTERN);

export interface MemberCard {
  type: typeof MEMBER_CARD_TYPE;
  org: string;
  jurisdiction: string;
  /** The node's libp2p peer id: the card's signer. */
  peerId: string;
  /** The node's log verifier key (C2SP, Ed25519): lets members prove its entries. */
  logKey?: string;
  /** The node's witness key (C2SP cosignature/v1): lets it cosign members' checkpoints. */
  witnessKey?: string;
  /** Dialable listen addresses ending in /p2p/<peerId>; empty when the node has none to give. */
  addresses: string[];
  /** RFC 3339 UTC. */
  createdAt: string;
}

const REQUIRED = ['type', 'org', 'jurisdiction', 'peerId', 'addresses', 'createdAt'];
const OPTIONAL = ['logKey', 'witnessKey'];

function bad(message: string, cause?: unknown): GovfedError {
  return new GovfedError(
    'ERR_MALFORMED_MEMBER_CARD',
    `member card: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Checks a card payload's shape (step 5); throws ERR_MALFORMED_MEMBER_CARD. */
export function checkMemberCard(v: unknown): MemberCard {
  if (!isPlainObject(v)) throw bad('expected an object');
  for (const k of REQUIRED) if (!Object.hasOwn(v, k)) throw bad(`missing "${k}"`);
  for (const k of Object.keys(v)) if (!REQUIRED.includes(k) && !OPTIONAL.includes(k)) throw bad(`unknown field "${k}"`);
  if (v.type !== MEMBER_CARD_TYPE) throw bad(`type: expected "${MEMBER_CARD_TYPE}"`);
  if (typeof v.org !== 'string' || !ORG_RE.test(v.org)) throw bad('org: malformed');
  if (!isJurisdiction(v.jurisdiction)) throw bad('jurisdiction: malformed');
  if (!isPeerId(v.peerId)) throw bad('peerId: not an Ed25519 peer id');
  if (!isRfc3339Utc(v.createdAt)) throw bad('createdAt: expected an RFC 3339 UTC timestamp');
  const peerId = v.peerId;
  const addresses = v.addresses;
  if (!Array.isArray(addresses) || addresses.length > MAX_CARD_ADDRESSES) {
    throw bad(`addresses: expected at most ${MAX_CARD_ADDRESSES} multiaddrs`);
  }
  for (const a of addresses) {
    if (!isMemberMultiaddr(a) || bootstrapPeer(a) !== peerId) {
      throw bad('addresses: expected multiaddrs ending in /p2p/<the card peerId>');
    }
  }
  if (new Set(addresses).size !== addresses.length) throw bad('addresses: duplicate address');
  const card: MemberCard = {
    type: MEMBER_CARD_TYPE,
    org: v.org,
    jurisdiction: v.jurisdiction,
    peerId,
    addresses: [...addresses] as string[],
    createdAt: v.createdAt,
  };
  for (const k of OPTIONAL as ('logKey' | 'witnessKey')[]) {
    const key = v[k];
    if (key === undefined) continue;
    if (typeof key !== 'string' || !KEY_RE.test(key)) throw bad(`${k}: malformed`);
    card[k] = key;
  }
  return card;
}

/** Step 7: the keys parse as what they claim to be, named after the card's org. */
function checkKeys(card: MemberCard, opts: VerifyOptions): void {
  if (card.logKey !== undefined) {
    const v = parseLogKey(card.logKey, opts);
    if (!v.name.startsWith(`govfed/${card.org}/`)) {
      throw new GovfedError('ERR_MALFORMED_VERIFIER_KEY', `member card: logKey ${v.name} is not a log of ${card.org}`);
    }
  }
  if (card.witnessKey !== undefined) {
    const v = parseWitnessKey(card.witnessKey, opts);
    if (v.name !== witnessName(card.org)) {
      throw new GovfedError(
        'ERR_MALFORMED_VERIFIER_KEY',
        `member card: witnessKey ${v.name} is not ${witnessName(card.org)}`,
      );
    }
  }
}

/**
 * Signs a card as the peer whose key has this seed. The card's peerId must be that peer's (checked by
 * verifying the result). Returns the envelope; encodeMemberCard gives the file's text.
 */
export function signMemberCard(card: Omit<MemberCard, 'type'>, seed: Uint8Array, opts: VerifyOptions = {}): Envelope {
  const checked = checkMemberCard({ type: MEMBER_CARD_TYPE, ...card });
  const env = signAsPeer(MEMBER_CARD_PAYLOAD_TYPE, canonicalBytes(checked), seed);
  verifyMemberCardEnvelope(env, opts); // the seed must be the card's peer's
  return env;
}

/** The card file's text: the envelope as indented JSON (any layout verifies). */
export function encodeMemberCard(env: Envelope): string {
  return `${JSON.stringify(env, null, 2)}\n`;
}

/** Steps 2–7 on an envelope value (attacker-controlled). */
export function verifyMemberCardEnvelope(value: unknown, opts: VerifyOptions = {}): MemberCard {
  const env = parseEnvelope(value, { maxBytes: MAX_MEMBER_CARD_BYTES, maxSignatures: 1 });
  const keyid = env.signatures[0]?.keyid;
  if (env.signatures.length !== 1 || !isPeerId(keyid)) {
    throw bad('expected one signature whose keyid is the peer id');
  }
  const signed = verifyPeerSigned(env, {
    payloadType: MEMBER_CARD_PAYLOAD_TYPE,
    allowed: new Set([keyid]),
    limits: { maxBytes: MAX_MEMBER_CARD_BYTES, maxSignatures: 1 },
    ...opts,
  });
  let payload: unknown;
  try {
    payload = parseCanonical(signed.payload, MAX_CARD_PAYLOAD_BYTES);
  } catch (cause) {
    throw bad('payload is not canonical JSON', cause);
  }
  const card = checkMemberCard(payload);
  if (card.peerId !== keyid) {
    throw new GovfedError('ERR_UNKNOWN_SIGNER', `member card: names peer ${card.peerId} but is signed by ${keyid}`);
  }
  checkKeys(card, opts);
  return card;
}

/**
 * Verifies a card file (attacker-controlled bytes, any JSON layout) by its signature: the checklist
 * above. Returns the card it proves.
 */
export function verifyMemberCard(bytes: Uint8Array, opts: VerifyOptions = {}): MemberCard {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_MEMBER_CARD_BYTES) {
    throw bad(`expected at most ${MAX_MEMBER_CARD_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = parseStrictJson(fromUtf8(bytes));
  } catch (cause) {
    throw bad('not JSON (UTF-8, no key twice)', cause);
  }
  return verifyMemberCardEnvelope(value, opts);
}

/** The card file's bytes for a signed envelope (UTF-8 of encodeMemberCard). */
export function memberCardBytes(env: Envelope): Uint8Array {
  return utf8(encodeMemberCard(env));
}
