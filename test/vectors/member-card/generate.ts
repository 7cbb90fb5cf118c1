/**
 * Writes the member card vectors of this folder from fixed seeds (Ed25519 signing is deterministic, so
 * the files are byte-stable): `npx node test/vectors/member-card/generate.ts`.
 * test/protocol/federation/member-card.test.ts checks each file as `expected.json` says, and that this
 * script still produces the same bytes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { toBase64, toHex } from '../../../protocol/encoding/bytes.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import { encodeMemberCard, signMemberCard } from '../../../protocol/federation/member-card.ts';
import { peerIdFromSeed } from '../../../protocol/federation/peer-id.ts';
import { cosignatureVerifierKey, ed25519VerifierKey } from '../../../protocol/note/index.ts';

/** A fixed seed: SHA-256 of one byte. */
const seedOf = (b: number) => sha256(Uint8Array.of(b));

export function memberCardVectors(): Record<string, string> {
  const peerSeed = seedOf(0x11);
  const peerId = peerIdFromSeed(peerSeed);
  const logPub = keyPairFromSeed(seedOf(0x12)).publicKey;
  const origin = `govfed/us/${toHex(sha256(logPub)).slice(0, 8)}`;
  const card = {
    org: 'us',
    jurisdiction: 'US-CA',
    peerId,
    logKey: ed25519VerifierKey(origin, logPub),
    witnessKey: cosignatureVerifierKey('govfed/us/witness', keyPairFromSeed(seedOf(0x13)).publicKey),
    addresses: [`/ip4/203.0.113.5/tcp/7371/p2p/${peerId}`],
    createdAt: '2026-12-04T12:00:00Z',
  };
  const env = signMemberCard(card, peerSeed);
  const valid = encodeMemberCard(env);
  // The same card with every value the same but another jurisdiction: the payload changes, the
  // signature does not.
  const other = signMemberCard({ ...card, jurisdiction: 'EU' }, peerSeed);
  const tampered = { ...env, payload: other.payload };
  // Signed by another peer key that is not the card's peerId.
  const mallory = seedOf(0x21);
  const wrongSigner = signMemberCard({ ...card, peerId: peerIdFromSeed(mallory), addresses: [] }, mallory);
  const wrong = { ...env, signatures: wrongSigner.signatures };
  // A card naming `peerId` but signed by Mallory under Mallory's keyid: the signature verifies, the
  // payload names another peer.
  const foreign = signAsPeer(env.payloadType, Buffer.from(env.payload, 'base64'), mallory);
  const { logKey: _l, witnessKey: _w, ...keyless } = card;
  const noKeys = signMemberCard(keyless, peerSeed);
  return {
    'valid.json': valid,
    'reindented.json': `${JSON.stringify(JSON.parse(valid), null, 4)}\n`,
    'compact.json': JSON.stringify(env),
    'tampered.json': `${JSON.stringify(tampered, null, 2)}\n`,
    'bad-signature.json': `${JSON.stringify(wrong, null, 2)}\n`,
    'wrong-signer.json': `${JSON.stringify(foreign, null, 2)}\n`,
    'no-keys.json': encodeMemberCard(noKeys),
    'payload-base64url.json': `${JSON.stringify({ ...env, payload: toBase64(Buffer.from(env.payload, 'base64')).replaceAll('+', '-').replaceAll('/', '_') }, null, 2)}\n`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  for (const [name, text] of Object.entries(memberCardVectors())) writeFileSync(`${dir}${name}`, text);
}
