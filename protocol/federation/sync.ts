/**
 * Anti-entropy sync messages (libp2p protocol SYNC_PROTOCOL = `/govfed/sync/1.0.0`).
 *
 * Each message is the JCS (canonical JSON) form of one of the objects below, UTF-8; on a stream each is
 * one frame prefixed by its length as an unsigned varint (it-length-prefixed), at most
 * MAX_SYNC_MESSAGE_BYTES. Messages are not signed: the stream is authenticated by Noise (the remote
 * peer id is known) and everything that matters inside — charter envelopes — is self-authenticating.
 * `hello` contents are hints that only decide what to ask for.
 *
 *   { "type": "hello", "federationId": <64 hex>, "charterVersion": n,
 *     "heads": { <kind>: { "height": h, "digest": "sha256:<hex>" }, … } }
 *       Sent by both sides on connect and periodically. `heads` names, per object kind, the newest
 *       thing held: for `charter` (required) height = charter version and digest = its digest; later
 *       kinds plug in with their own height (policy version, log size, …) without a new protocol. The
 *       node's modules send theirs (`policy`, `models`, `rosters`, `monitoring`; node/federation/
 *       heads.ts), so that their rounds skip a peer with nothing to exchange.
 *   { "type": "get-charters", "from": n }          → { "type": "charters", "envelopes": [ … ] }
 *       Versions >= from, oldest first, at most MAX_SYNC_CHARTERS and MAX_SYNC_MESSAGE_BYTES; ask
 *       again from the next version until you hold the peer's `charterVersion` (or get none).
 *   { "type": "charters", "envelopes": [ … ] }     may also be sent unasked (a newcomer delivering the
 *       charter that admits it); the receiver feeds each to CharterChain.accept.
 *   { "type": "proposal", "envelope": { … } }     a pending charter change, pushed so that members can
 *       co-sign it; notably by an invitee returning the proposal with its own signature before it is a
 *       member (a node may allow a non-member peer this one message when proposalStatus lists it as
 *       `added`).
 *   { "type": "get-addresses" }                     → { "type": "addresses", "members": { <peer id>: [<multiaddr>, …], … } }
 *       Members only. The listen addresses the answering node knows for members of its charter (its own
 *       included), at most MAX_ADDRESS_PEERS peers and MAX_ADDRESSES_PER_PEER each, every one ending in
 *       `/p2p/<that peer id>`. Hints: a node asks when it knows no address of some member, and dials what it
 *       learns (libp2p's Noise handshake proves the peer id, so a wrong address costs one failed dial);
 *       it never replaces an address it learnt first-hand.
 * Later kinds add `get-<kind>` / `<kind>s` pairs; unknown types are rejected (ERR_MALFORMED_SYNC_MESSAGE).
 */
import { isPlainObject, isSha256Digest } from '../audit/fields.ts';
import { type Envelope, parseEnvelope } from '../dsse/index.ts';
import { GovfedError } from '../errors.ts';
import type { CharterChain } from './chain.ts';
import { isFederationId } from './charter.ts';
import { decodeFrame, encodeFrame } from './frame.ts';
import { bootstrapPeer, isMemberMultiaddr } from './invite.ts';
import { CHARTER_ENVELOPE_LIMITS, charterOf } from './proposal.ts';
import { isKind } from './topics.ts';

export { SYNC_PROTOCOL } from './topics.ts';

/** Largest sync frame (a `charters` response included). */
export const MAX_SYNC_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Most charter envelopes in one `charters` message. */
export const MAX_SYNC_CHARTERS = 64;
/** Most kinds in a hello's `heads`. */
export const MAX_HEADS = 32;

/** The newest object of one kind a peer holds. */
export interface Head {
  /** A non-negative integer that grows with every new object of the kind. */
  height: number;
  /** `sha256:` + hex of the newest object. */
  digest: string;
}

export interface HelloMessage {
  type: 'hello';
  federationId: string;
  charterVersion: number;
  /** Must include `charter` with height = charterVersion. */
  heads: Record<string, Head>;
}

export interface GetChartersMessage {
  type: 'get-charters';
  from: number;
}

export interface ChartersMessage {
  type: 'charters';
  envelopes: Envelope[];
}

export interface ProposalMessage {
  type: 'proposal';
  envelope: Envelope;
}

export interface GetAddressesMessage {
  type: 'get-addresses';
}

export interface AddressesMessage {
  type: 'addresses';
  /** peer id → listen multiaddrs, each ending in `/p2p/<that peer id>`. */
  members: Record<string, string[]>;
}

export type SyncMessage =
  | HelloMessage
  | GetChartersMessage
  | ChartersMessage
  | ProposalMessage
  | GetAddressesMessage
  | AddressesMessage;

/** Most peers in an `addresses` answer (a charter holds at most this many members in practice). */
export const MAX_ADDRESS_PEERS = 256;
/** Most addresses per peer in an `addresses` answer. */
export const MAX_ADDRESSES_PER_PEER = 4;

function bad(message: string, cause?: unknown): GovfedError {
  return new GovfedError('ERR_MALFORMED_SYNC_MESSAGE', `sync: ${message}`, cause === undefined ? undefined : { cause });
}

function exactKeys(o: Record<string, unknown>, keys: string[], what: string): void {
  const got = Object.keys(o);
  if (got.length !== keys.length || !keys.every((k) => Object.hasOwn(o, k))) {
    throw bad(`${what}: expected exactly the fields ${keys.join(', ')}`);
  }
}

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function checkEnvelope(v: unknown, what: string): Envelope {
  try {
    const env = parseEnvelope(v, CHARTER_ENVELOPE_LIMITS);
    charterOf(env);
    return env;
  } catch (cause) {
    throw bad(`${what}: not a charter envelope`, cause);
  }
}

function checkHeads(v: unknown, charterVersion: number): Record<string, Head> {
  if (!isPlainObject(v)) throw bad('hello.heads: expected an object');
  const kinds = Object.keys(v);
  if (kinds.length > MAX_HEADS) throw bad(`hello.heads: more than ${MAX_HEADS} kinds`);
  const heads: Record<string, Head> = {};
  for (const kind of kinds) {
    const h = v[kind];
    if (!isKind(kind) || !isPlainObject(h)) throw bad(`hello.heads.${kind}: bad kind or value`);
    exactKeys(h, ['height', 'digest'], `hello.heads.${kind}`);
    if (!isUint(h.height) || !isSha256Digest(h.digest)) throw bad(`hello.heads.${kind}: expected {height, digest}`);
    heads[kind] = { height: h.height, digest: h.digest };
  }
  if (heads.charter?.height !== charterVersion)
    throw bad('hello.heads.charter: must exist with height = charterVersion');
  return heads;
}

function checkAddressBook(v: unknown): Record<string, string[]> {
  if (!isPlainObject(v)) throw bad('addresses.members: expected an object');
  const peers = Object.keys(v);
  if (peers.length > MAX_ADDRESS_PEERS) throw bad(`addresses.members: more than ${MAX_ADDRESS_PEERS} peers`);
  const out: Record<string, string[]> = {};
  for (const peer of peers) {
    const list = v[peer];
    if (!Array.isArray(list) || list.length < 1 || list.length > MAX_ADDRESSES_PER_PEER) {
      throw bad(`addresses.members: expected 1..${MAX_ADDRESSES_PER_PEER} addresses per peer`);
    }
    for (const a of list) {
      if (!isMemberMultiaddr(a) || bootstrapPeer(a) !== peer) {
        throw bad('addresses.members: expected multiaddrs ending in /p2p/<the peer id they are listed under>');
      }
    }
    if (new Set(list).size !== list.length) throw bad('addresses.members: duplicate address');
    out[peer] = [...list];
  }
  return out;
}

/**
 * The `addresses` answer: the known addresses of members of `chain` (plus ours), bounded as the checker
 * demands — a peer's addresses that do not fit the format are left out, not sent.
 */
export function addressesResponse(
  chain: CharterChain,
  known: Readonly<Record<string, readonly string[]>>,
): AddressesMessage {
  const members: Record<string, string[]> = {};
  for (const [peer, addrs] of Object.entries(known)) {
    if (Object.keys(members).length >= MAX_ADDRESS_PEERS) break;
    if (!chain.isMember(peer)) continue;
    const ok = [...new Set(addrs.filter((a) => isMemberMultiaddr(a) && bootstrapPeer(a) === peer))];
    if (ok.length > 0) members[peer] = ok.slice(0, MAX_ADDRESSES_PER_PEER);
  }
  return { type: 'addresses', members };
}

/** Checks a sync message value (attacker-controlled); throws ERR_MALFORMED_SYNC_MESSAGE. */
export function checkSyncMessage(v: unknown): SyncMessage {
  if (!isPlainObject(v)) throw bad('expected an object');
  switch (v.type) {
    case 'hello': {
      exactKeys(v, ['type', 'federationId', 'charterVersion', 'heads'], 'hello');
      if (!isFederationId(v.federationId)) throw bad('hello.federationId: expected 64 hex');
      if (!isUint(v.charterVersion) || v.charterVersion < 1)
        throw bad('hello.charterVersion: expected an integer >= 1');
      return {
        type: 'hello',
        federationId: v.federationId,
        charterVersion: v.charterVersion,
        heads: checkHeads(v.heads, v.charterVersion),
      };
    }
    case 'get-charters':
      exactKeys(v, ['type', 'from'], 'get-charters');
      if (!isUint(v.from) || v.from < 1) throw bad('get-charters.from: expected an integer >= 1');
      return { type: 'get-charters', from: v.from };
    case 'charters': {
      exactKeys(v, ['type', 'envelopes'], 'charters');
      if (!Array.isArray(v.envelopes) || v.envelopes.length > MAX_SYNC_CHARTERS) {
        throw bad(`charters.envelopes: expected at most ${MAX_SYNC_CHARTERS} envelopes`);
      }
      return { type: 'charters', envelopes: v.envelopes.map((e, i) => checkEnvelope(e, `charters.envelopes[${i}]`)) };
    }
    case 'proposal':
      exactKeys(v, ['type', 'envelope'], 'proposal');
      return { type: 'proposal', envelope: checkEnvelope(v.envelope, 'proposal.envelope') };
    case 'get-addresses':
      exactKeys(v, ['type'], 'get-addresses');
      return { type: 'get-addresses' };
    case 'addresses':
      exactKeys(v, ['type', 'members'], 'addresses');
      return { type: 'addresses', members: checkAddressBook(v.members) };
    default:
      throw bad('unknown message type');
  }
}

const FRAME = { name: 'sync', check: checkSyncMessage, maxBytes: MAX_SYNC_MESSAGE_BYTES };

/** The frame body of a sync message (JCS bytes). Throws ERR_MALFORMED_SYNC_MESSAGE above the bound. */
export function encodeSyncMessage(msg: SyncMessage): Uint8Array {
  return encodeFrame(FRAME, msg);
}

/**
 * Decodes one frame body (attacker-controlled): bounded, canonical JSON, a known message, and in its
 * one normal form (envelopes with standard base64). Throws ERR_MALFORMED_SYNC_MESSAGE.
 */
export function decodeSyncMessage(bytes: Uint8Array, maxBytes = MAX_SYNC_MESSAGE_BYTES): SyncMessage {
  return decodeFrame(FRAME, bytes, maxBytes);
}

/** Our hello: the chain's head plus any other kinds' heads (later issues). */
export function helloFor(chain: CharterChain, otherHeads: Record<string, Head> = {}): HelloMessage {
  return {
    type: 'hello',
    federationId: chain.federationId,
    charterVersion: chain.version,
    heads: { ...otherHeads, charter: { height: chain.version, digest: chain.head.digest } },
  };
}

/** The answer to get-charters, within MAX_SYNC_CHARTERS and the frame bound. */
export function chartersResponse(chain: CharterChain, req: GetChartersMessage): ChartersMessage {
  return {
    type: 'charters',
    // 1 KiB headroom for the message wrapper around the envelopes.
    envelopes: chain.envelopesFrom(req.from, { maxCount: MAX_SYNC_CHARTERS, maxBytes: MAX_SYNC_MESSAGE_BYTES - 1024 }),
  };
}

/**
 * What to ask a peer after its hello (pure decision for the sync loop): `get-charters` from our next
 * version when it holds more, nothing otherwise. Throws ERR_FEDERATION_MISMATCH for another federation.
 */
export function nextRequest(chain: CharterChain, hello: HelloMessage): GetChartersMessage | undefined {
  if (hello.federationId !== chain.federationId) {
    throw new GovfedError('ERR_FEDERATION_MISMATCH', `peer is in federation ${hello.federationId}`);
  }
  return hello.charterVersion > chain.version ? { type: 'get-charters', from: chain.version + 1 } : undefined;
}
