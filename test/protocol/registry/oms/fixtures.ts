/**
 * Shared pieces of the OMS protocol tests: the reference vectors (read from test/vectors/oms), fresh EC
 * keys made with node:crypto, and bundles signed over any payload (to reach the checks after the signature).
 */
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { pae } from '../../../../protocol/dsse/pae.ts';
import {
  INTOTO_PAYLOAD_TYPE,
  type OmsResource,
  type OmsSigningKey,
  type OmsTrust,
  publicKeyHint,
  publicKeyPem,
} from '../../../../protocol/registry/oms/index.ts';
import { vectorPath } from '../../../helpers/paths.ts';

export const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
export const read = (...p: string[]) => readFileSync(vectorPath('oms', ...p));
export const PUB = read('keys', 'signing-key-pub.pem').toString('utf8');
export const CA = read('keys', 'ca-cert.pem').toString('utf8');
export const INT_CA = read('keys', 'int-ca-cert.pem').toString('utf8');
export const KEY: OmsTrust = { method: 'key', publicKey: PUB };
export const CHAIN: OmsTrust = { method: 'certificate', certificateChain: CA };

export function files(folder: string, names: string[]): OmsResource[] {
  return names.map((name) => ({ name, digest: sha(read(folder, name)) }));
}
export const TWO = ['signme-1', 'signme-2'];

export interface TestKey {
  signer: OmsSigningKey;
  pem: string;
  privateKey: KeyObject;
  hash: string;
}

export function testKey(curve: 'P-256' | 'P-384' | 'P-521'): TestKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const hash = { 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' }[curve];
  const spki = new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  return {
    privateKey,
    hash,
    pem: publicKeyPem(spki),
    signer: { publicKey: spki, sign: (m) => new Uint8Array(sign(hash, m, { key: privateKey, dsaEncoding: 'der' })) },
  };
}

/** A bundle over any payload, signed correctly by `k` (to reach the checks after the signature). */
export function rawBundle(
  k: TestKey,
  payload: Uint8Array,
  payloadType = INTOTO_PAYLOAD_TYPE,
  mediaType?: string,
): Uint8Array {
  const sig = sign(k.hash, pae(payloadType, payload), { key: k.privateKey, dsaEncoding: 'der' });
  return Buffer.from(
    JSON.stringify({
      mediaType: mediaType ?? 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: publicKeyHint(k.signer.publicKey) }, tlogEntries: [] },
      dsseEnvelope: {
        payload: Buffer.from(payload).toString('base64'),
        payloadType,
        signatures: [{ sig: sig.toString('base64'), keyid: '' }],
      },
    }),
  );
}

export const code = (c: string) => expect.objectContaining({ code: c });

// biome-ignore lint/suspicious/noExplicitAny: the tests build bad statements by changing any field
export type Mutable = Record<string, any>;

export function flip(buf: Buffer, i: number, mask: number): void {
  buf.writeUInt8(buf.readUInt8(i) ^ mask, i);
}
