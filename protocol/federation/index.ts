/**
 * Federation protocol: the pure rules by which independent govfed nodes form one federation in which
 * no server is trusted. No I/O, no clocks (callers pass `now`), deterministic; every rejection is a
 * GovfedError with a code (docs/errors.md), and gossip rejections also carry `action`.
 *
 * The model
 *   - Identity. A node's libp2p Ed25519 peer id *is* its public key (peer-id.ts). Every federation
 *     signature is a DSSE signature with keyid = the signer's peer id (envelope.ts), so anyone can check
 *     it with nothing but the bytes.
 *   - Charter (charter.ts). The root of trust, like TUF's root metadata: name, members {org, peerId,
 *     jurisdiction, witnessKey?, logKey?}, thresholds {admission, policy, charter, witness?}, version,
 *     previous (digest of version n-1), expiresAt? (the deadline of the change that makes it). Canonical bytes = RFC 8785 JCS. The federation id = hex SHA-256 of the genesis.
 *   - Signing rules (proposal.ts, verify.ts). Genesis: every founder signs. Version n+1: at least
 *     thresholds.charter of version n's members — or thresholds.admission when the change only adds
 *     members (every member entry kept byte for byte, nothing else changed) — plus every newly listed
 *     peer id (proof of key possession) and every member whose entry changes (consent to new keys).
 *     Every signature present must be by such a signer and verify.
 *   - Chain (chain.ts). A node pins the genesis (federation id) and moves forward one verified version
 *     at a time; replays are duplicates, older versions stale, a second validly signed current version
 *     is a fork (kept as evidence), a jump ahead is a gap (sync first).
 *   - Proposals (proposal.ts). A charter change with too few signatures yet; members co-sign and merge.
 *   - Freshness (freshness.ts). Members periodically sign a short-lived statement of the charter version
 *     they hold; a node not confirmed by a majority within a window knows it may be eclipsed (stale).
 *   - Member cards (member-card.ts): a node's org, jurisdiction, peer id, keys and addresses, signed by
 *     its peer key — what an inviter builds an invite from, checked by signature, not bytes.
 *   - Invites (invite.ts), gossip (gossip.ts, topics.ts) and sync messages (sync.ts): the wire formats.
 *   docs/federation-protocol.md has the byte-exact formats.
 *
 * How a node uses it (the networking/CLI layer owns storage, clocks, libp2p):
 *   keys      seed = libp2pPrivateKey.raw.subarray(0, 32) (Ed25519 raw = seed || public key);
 *             peerIdFromSeed(seed) === peerId.toString().
 *   create    const g = genesisCharter({ name, createdAt, members: [me], thresholds });
 *             const chain = new CharterChain(signCharter(g, seed)); persist chain.head.envelope.
 *   restart   CharterChain.fromEnvelopes(pinnedFederationId, storedEnvelopes) — re-verifies all.
 *   invite    const p = signCharter(addMembers(chain.current, [invitee], now), seed);
 *             (threshold > 1: gossip p on topicFor(id, 'proposal'); others addSignature and gossip back;
 *             mergeSignatures the copies) → encodeInvite(createInvite({ chain, proposal: p, invitee,
 *             bootstrap, expiresAt })) → invite.json.
 *   join      const inv = parseInvite(bytes); const { chain } = verifyInvite(inv, { now, self: myPeerId,
 *             pinnedFederationId }); const env = addSignature(inv.proposal, seed);
 *             chain.proposalStatus(env).complete ? (chain.accept(env), send sync `charters`)
 *                                                 : send sync `proposal` to a bootstrap peer.
 *   co-sign   status = chain.proposalStatus(env) shows required/signedBy/missingNewMembers;
 *             env = addSignature(env, seed); when complete, chain.accept(env) and gossip it as `charter`.
 *   other     set-threshold: nextCharter(chain.current, { createdAt, thresholds: { admission: k,
 *             charter: Math.max(k, current charter) } }) — admission <= charter <= member count must hold
 *             in every version (charter.ts); a change other than adding members needs the charter threshold.
 *   gossip    topics topicFor(federationId, 'charter' | 'proposal'); message id gossipMessageId(data);
 *             validator: decodeAndVerifyGossip(data, { chain, now: Date.now(), kind }) — on a
 *             GossipValidationError map `action` to gossipsub Reject/Ignore (and count by `code`); on
 *             success envelopeFromBody(message.body) → chain.accept (charter) / mergeSignatures (proposal),
 *             and when `needsSync` is set (the sender holds a newer charter), sync from that peer.
 *             Publish with encodeGossip({ type, federationId, charterVersion: chain.version, sender,
 *             seq, sentAt, body: envelopeBody(env) }, seed).
 *   gating    keep a connection iff chain.isMember(remotePeerId); optionally let a peer listed as
 *             `added` in a pending proposal deliver one sync `proposal`/`charters` message.
 *   sync      SYNC_PROTOCOL, one varint-length-prefixed frame per message: send helloFor(chain) on
 *             connect and periodically; on a hello, nextRequest(chain, hello) → get-charters; answer with
 *             chartersResponse(chain, req); feed received envelopes to chain.accept (ERR_CHARTER_GAP:
 *             ask again from chain.version + 1). Gossip is the fast path, sync the guarantee.
 *   audit     append every accepted charter (and fork evidence) to the audit log as a governance event.
 */

export {
  type ApprovalRule,
  type ApprovalRules,
  checkApprovalRule,
  checkApprovalRules,
  isRiskTier,
  MAX_RULE_ROLES,
  RISK_TIERS,
  type RiskTier,
  ROLE_NAME_PATTERN,
  withApprovalRule,
} from './approval-rules.ts';
export {
  type AcceptResult,
  type ChainEntry,
  CharterChain,
  type ForkEvidence,
  MAX_FORK_EVIDENCE,
  verifyChain,
} from './chain.ts';
export {
  addMembers,
  CHARTER_PAYLOAD_TYPE,
  CHARTER_TYPE,
  type Charter,
  charterDigest,
  checkCharter,
  clampThresholds,
  decodeCharter,
  encodeCharter,
  FEDERATION_ID_PATTERN,
  federationId,
  genesisCharter,
  isFederationId,
  MAX_CHARTER_BYTES,
  MAX_MEMBERS,
  MAX_NAME_CHARS,
  MAX_RETIRED_LOG_KEYS,
  type Member,
  memberByPeerId,
  memberLogKeys,
  nextCharter,
  ORG_PATTERN,
  removeMembers,
  type Thresholds,
  WITNESS_KEY_PATTERN,
  witnessThreshold,
} from './charter.ts';
export { removalVersions } from './departures.ts';
export {
  type Envelope,
  mergePeerSignatures,
  type PeerKey,
  type PeerSignedPayload,
  peerKey,
  signAsPeer,
  verifyPeerSigned,
} from './envelope.ts';
export { type GossipAction, GossipValidationError, isGossipValidationError } from './errors.ts';
export {
  type CharterHead,
  checkFreshness,
  DEFAULT_FRESHNESS_SKEW_MS,
  decodeFreshness,
  decodeFreshnessRequest,
  decodeFreshnessResponse,
  encodeFreshness,
  encodeFreshnessRequest,
  encodeFreshnessResponse,
  FRESHNESS_ENVELOPE_LIMITS,
  FRESHNESS_PAYLOAD_TYPE,
  FRESHNESS_PROTOCOL,
  FRESHNESS_TYPE,
  type FreshnessChainView,
  type FreshnessJudgement,
  type FreshnessStatement,
  freshnessMajority,
  freshnessOf,
  judgeFreshness,
  MAX_FRESHNESS_BYTES,
  MAX_FRESHNESS_FRAME,
  MAX_FRESHNESS_LIFETIME_MS,
  signFreshness,
  type VerifyFreshnessOptions,
  verifyFreshness,
} from './freshness.ts';
export {
  checkGossipMessage,
  DEFAULT_MAX_SKEW_MS,
  DEFAULT_VERSION_TOLERANCE,
  decodeAndVerifyGossip,
  encodeGossip,
  envelopeBody,
  envelopeFromBody,
  GOSSIP_PAYLOAD_TYPE,
  type GossipMessage,
  type GossipValidationOptions,
  gossipMessageId,
  MAX_GOSSIP_BYTES,
  type MembershipView,
  type VerifiedGossip,
} from './gossip.ts';
export {
  BOOTSTRAP_PATTERN,
  bootstrapPeer,
  checkInvite,
  createInvite,
  encodeInvite,
  INVITE_TYPE,
  type Invite,
  type Invitee,
  isMemberMultiaddr,
  MAX_BOOTSTRAP_ADDRS,
  MAX_INVITE_BYTES,
  parseInvite,
  type VerifiedInvite,
  verifyInvite,
} from './invite.ts';
export {
  KILL_SETTING_KEYS,
  type KillSettings,
  MAX_REVOCATION_THRESHOLD,
  MAX_SUSPENSION_TTL_S,
  MIN_SUSPENSION_TTL_S,
} from './kill-settings.ts';
export {
  checkMemberCard,
  encodeMemberCard,
  MAX_CARD_ADDRESSES,
  MAX_MEMBER_CARD_BYTES,
  MEMBER_CARD_PAYLOAD_TYPE,
  MEMBER_CARD_TYPE,
  type MemberCard,
  signMemberCard,
  verifyMemberCard,
  verifyMemberCardEnvelope,
} from './member-card.ts';
export {
  fromBase58btc,
  isPeerId,
  PEER_ID_LENGTH,
  PEER_ID_PATTERN,
  peerIdFromSeed,
  peerIdToPublicKey,
  publicKeyToPeerId,
  toBase58btc,
} from './peer-id.ts';
export {
  addSignature,
  CHARTER_ENVELOPE_LIMITS,
  type ChangeRule,
  changedMembers,
  changeRule,
  charterOf,
  checkNotExpired,
  mergeSignatures,
  type ProposalStatus,
  proposalStatus,
  removedMembers,
  signCharter,
} from './proposal.ts';
export {
  type AddressesMessage,
  addressesResponse,
  type ChartersMessage,
  chartersResponse,
  checkSyncMessage,
  decodeSyncMessage,
  encodeSyncMessage,
  type GetAddressesMessage,
  type GetChartersMessage,
  type Head,
  type HelloMessage,
  helloFor,
  MAX_ADDRESS_PEERS,
  MAX_ADDRESSES_PER_PEER,
  MAX_HEADS,
  MAX_SYNC_CHARTERS,
  MAX_SYNC_MESSAGE_BYTES,
  nextRequest,
  type ProposalMessage,
  type SyncMessage,
} from './sync.ts';
export {
  GOSSIP_KINDS,
  GOSSIP_TOPIC_VERSION,
  isKind,
  KIND_PATTERN,
  parseTopic,
  SYNC_PROTOCOL,
  topicFor,
} from './topics.ts';
export { type VerifiedCharter, type VerifiedGenesis, verifyGenesis, verifyNext } from './verify.ts';
export {
  checkWithdrawal,
  MAX_WITHDRAWAL_BYTES,
  signWithdrawal,
  type VerifiedWithdrawal,
  verifyWithdrawal,
  WITHDRAWAL_PAYLOAD_TYPE,
  WITHDRAWAL_TYPE,
  type Withdrawal,
} from './withdrawal.ts';
