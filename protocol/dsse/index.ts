/**
 * DSSE — Dead Simple Signing Envelope (github.com/secure-systems-lab/dsse, protocol v1.0.0).
 *
 * The model: a payload is opaque bytes plus a `payloadType` saying how to read them. A signature
 * covers PAE(payloadType, payload) = "DSSEv1 <len(type)> <type> <len(body)> <body>", so it binds the
 * type as well as the bytes — a signature made for one type never verifies under another, and the
 * payload is never parsed before its signatures have been checked. An envelope carries the payload
 * (base64) and any number of signatures, each with an optional, unauthenticated `keyid` hint.
 *
 * govfed signs with Ed25519 only (strict RFC 8032 verification, see protocol/crypto/ed25519.ts) and
 * names keys by keyIdOf(publicKey) = hex SHA-256 of the public key. A verifier decides whom to trust:
 * it passes its trusted keys and a threshold t, and verifyEnvelope accepts the envelope when at
 * least t distinct trusted keys signed it, returning the payload and who signed. Keyids never decide
 * anything: they only pick which trusted key to try.
 *
 * Parsing (parseEnvelope) is strict and bounded, for envelopes that come off the network.
 */
export {
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_SIGNATURES,
  type DecodedEnvelope,
  decodeEnvelope,
  type Envelope,
  type EnvelopeLimits,
  type EnvelopeSignature,
  MAX_KEYID_LENGTH,
  parseEnvelope,
  serializeEnvelope,
} from './envelope.ts';
export { pae } from './pae.ts';
export { type DsseSigner, keyIdOf, signEnvelope } from './sign.ts';
export { type TrustedKey, type VerifiedEnvelope, type VerifyEnvelopeOptions, verifyEnvelope } from './verify.ts';
