/**
 * The Sigstore bundle v0.3 (JSON) as OpenSSF model signing writes it — parsing only, no trust.
 *
 *   {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
 *    "verificationMaterial": {  one of
 *        "publicKey": {"hint": "<hex SHA-256 of the signer's PEM public key>"}      key method
 *        "x509CertificateChain": {"certificates": [{"rawBytes": "<b64 DER>"}, …]}   certificate method
 *        "certificate": {"rawBytes": "<b64 DER>"}                                    keyless (Fulcio)
 *      "tlogEntries": [ … ], "timestampVerificationData": { … } },                  optional
 *    "dsseEnvelope": {"payload": "<b64>", "payloadType": "application/vnd.in-toto+json",
 *                     "signatures": [{"sig": "<b64 DER ECDSA>", "keyid": ""}]}}
 *
 * The file is attacker-controlled. parseOmsBundle bounds it (MAX_OMS_BUNDLE_BYTES), reads it as strict
 * JSON, allows no unknown field where the bundle schema has none, decodes base64 strictly (standard or
 * URL-safe, as protobuf JSON allows) and bounds every list. Everything it refuses is
 * ERR_MALFORMED_OMS_BUNDLE. Older files of the reference tool (v1.0.0) carry `rawBytes` and `keyDetails`
 * in publicKey: they are read past and never used — the verifier's key comes from the verifier.
 */
import { fromBase64, fromUtf8 } from '../../encoding/bytes.ts';
import { parseStrictJson } from '../../encoding/strict-json.ts';
import { GovfedError } from '../../errors.ts';

export const OMS_BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The same version under the older spelling, which sigstore clients also read. */
const BUNDLE_MEDIA_TYPE_ALT = 'application/vnd.dev.sigstore.bundle+json;version=0.3';
/** Bounds on a bundle (attacker-controlled). */
export const MAX_OMS_BUNDLE_BYTES = 4 * 1024 * 1024;
export const MAX_CHAIN_CERTIFICATES = 10;
export const MAX_CERTIFICATE_BYTES = 64 * 1024;
export const MAX_TLOG_ENTRIES = 64;
const MAX_HINT_LENGTH = 256;
const MAX_SIGNATURE_BYTES = 1024;

export type OmsMaterial =
  | { kind: 'publicKey'; hint: string | undefined }
  | { kind: 'x509CertificateChain'; certificates: Uint8Array[] }
  | { kind: 'certificate'; certificate: Uint8Array };

export interface OmsBundle {
  mediaType: string;
  material: OmsMaterial;
  tlogEntries: number;
  payloadType: string;
  payload: Uint8Array;
  /** The one signature: DER-encoded ECDSA. */
  signature: Uint8Array;
}

const TOP_FIELDS = ['mediaType', 'verificationMaterial', 'dsseEnvelope'];
const MATERIAL_FIELDS = [
  'publicKey',
  'x509CertificateChain',
  'certificate',
  'tlogEntries',
  'timestampVerificationData',
];
const KEY_FIELDS = ['hint', 'rawBytes', 'keyDetails'];
const ENVELOPE_FIELDS = ['payload', 'payloadType', 'signatures'];

/** Parses a bundle file's bytes (attacker-controlled). */
export function parseOmsBundle(bytes: Uint8Array): OmsBundle {
  if (!(bytes instanceof Uint8Array)) throw new GovfedError('ERR_INVALID_INPUT', 'bundle: expected bytes');
  if (bytes.length > MAX_OMS_BUNDLE_BYTES)
    malformed(`bundle is ${bytes.length} bytes, more than ${MAX_OMS_BUNDLE_BYTES}`);
  let value: unknown;
  try {
    value = parseStrictJson(fromUtf8(bytes), 64);
  } catch (cause) {
    malformed('bundle is not valid JSON', cause);
  }
  const top = object(value, 'bundle', TOP_FIELDS);
  if (top.mediaType !== OMS_BUNDLE_MEDIA_TYPE && top.mediaType !== BUNDLE_MEDIA_TYPE_ALT) {
    malformed(`mediaType: expected ${JSON.stringify(OMS_BUNDLE_MEDIA_TYPE)}, got ${JSON.stringify(top.mediaType)}`);
  }
  if (top.dsseEnvelope === undefined) malformed('dsseEnvelope: missing (a model signature is a DSSE envelope)');
  const { material, tlogEntries } = parseMaterial(top.verificationMaterial);
  const env = object(top.dsseEnvelope, 'dsseEnvelope', ENVELOPE_FIELDS);
  if (typeof env.payloadType !== 'string' || env.payloadType.length === 0 || env.payloadType.length > 256) {
    malformed('dsseEnvelope.payloadType: expected a short non-empty string');
  }
  const payload = base64(env.payload, 'dsseEnvelope.payload', MAX_OMS_BUNDLE_BYTES);
  if (!Array.isArray(env.signatures) || env.signatures.length !== 1) {
    malformed('dsseEnvelope.signatures: expected exactly one signature');
  }
  const sig = object(env.signatures[0], 'dsseEnvelope.signatures[0]', ['sig', 'keyid']);
  if (
    sig.keyid !== undefined &&
    sig.keyid !== null &&
    (typeof sig.keyid !== 'string' || sig.keyid.length > MAX_HINT_LENGTH)
  ) {
    malformed('dsseEnvelope.signatures[0].keyid: expected a short string');
  }
  const signature = base64(sig.sig, 'dsseEnvelope.signatures[0].sig', MAX_SIGNATURE_BYTES);
  return {
    mediaType: top.mediaType as string,
    material,
    tlogEntries,
    payloadType: env.payloadType,
    payload,
    signature,
  };
}

function parseMaterial(v: unknown): { material: OmsMaterial; tlogEntries: number } {
  const m = object(v, 'verificationMaterial', MATERIAL_FIELDS);
  const kinds = ['publicKey', 'x509CertificateChain', 'certificate'].filter((k) => m[k] !== undefined);
  if (kinds.length !== 1) {
    malformed('verificationMaterial: expected exactly one of publicKey, x509CertificateChain, certificate');
  }
  let tlogEntries = 0;
  if (m.tlogEntries !== undefined) {
    if (!Array.isArray(m.tlogEntries) || m.tlogEntries.length > MAX_TLOG_ENTRIES) {
      malformed(`verificationMaterial.tlogEntries: expected an array of at most ${MAX_TLOG_ENTRIES}`);
    }
    tlogEntries = m.tlogEntries.length;
  }
  if (m.timestampVerificationData !== undefined) object(m.timestampVerificationData, 'timestampVerificationData');
  if (m.publicKey !== undefined) {
    const k = object(m.publicKey, 'verificationMaterial.publicKey', KEY_FIELDS);
    if (k.hint !== undefined && k.hint !== null && (typeof k.hint !== 'string' || k.hint.length > MAX_HINT_LENGTH)) {
      malformed('verificationMaterial.publicKey.hint: expected a short string');
    }
    if (k.rawBytes !== undefined) base64(k.rawBytes, 'verificationMaterial.publicKey.rawBytes', MAX_CERTIFICATE_BYTES);
    if (k.keyDetails !== undefined && typeof k.keyDetails !== 'string') {
      malformed('verificationMaterial.publicKey.keyDetails: expected a string');
    }
    const hint = typeof k.hint === 'string' && k.hint.length > 0 ? k.hint : undefined;
    return { material: { kind: 'publicKey', hint }, tlogEntries };
  }
  if (m.x509CertificateChain !== undefined) {
    const chain = object(m.x509CertificateChain, 'verificationMaterial.x509CertificateChain', ['certificates']);
    const list = chain.certificates;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CHAIN_CERTIFICATES) {
      malformed(`x509CertificateChain.certificates: expected 1 to ${MAX_CHAIN_CERTIFICATES} certificates`);
    }
    const certificates = list.map((c, i) =>
      base64(
        object(c, `certificates[${i}]`, ['rawBytes']).rawBytes,
        `certificates[${i}].rawBytes`,
        MAX_CERTIFICATE_BYTES,
      ),
    );
    return { material: { kind: 'x509CertificateChain', certificates }, tlogEntries };
  }
  const cert = object(m.certificate, 'verificationMaterial.certificate', ['rawBytes']);
  const certificate = base64(cert.rawBytes, 'verificationMaterial.certificate.rawBytes', MAX_CERTIFICATE_BYTES);
  return { material: { kind: 'certificate', certificate }, tlogEntries };
}

function object(v: unknown, what: string, allowed?: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) malformed(`${what}: expected a JSON object`);
  if (allowed !== undefined) {
    for (const key of Object.keys(v))
      if (!allowed.includes(key)) malformed(`${what}: unknown field ${JSON.stringify(key)}`);
  }
  return v as Record<string, unknown>;
}

/** Canonical standard or URL-safe base64 (protobuf JSON writes the first, reads both), bounded. */
function base64(v: unknown, what: string, maxBytes: number): Uint8Array {
  if (typeof v !== 'string' || v.length === 0) malformed(`${what}: expected a base64 string`);
  if (v.length > Math.ceil(maxBytes / 3) * 4) malformed(`${what}: longer than ${maxBytes} bytes`);
  let std = v;
  if (/[-_]/.test(v)) {
    if (/[+/]/.test(v)) malformed(`${what}: mixes standard and URL-safe base64`);
    std = v.replaceAll('-', '+').replaceAll('_', '/');
  }
  try {
    return fromBase64(std);
  } catch (cause) {
    malformed(`${what}: not canonical base64`, cause);
  }
}

function malformed(message: string, cause?: unknown): never {
  throw new GovfedError('ERR_MALFORMED_OMS_BUNDLE', message, cause === undefined ? undefined : { cause });
}
