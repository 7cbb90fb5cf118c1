/**
 * The signer's private key for `govfed model sign`: a PEM EC private key file (SEC1 "EC PRIVATE KEY" or
 * PKCS #8 "PRIVATE KEY", unencrypted), on P-256, P-384 or P-521 — the keys the reference tool signs with.
 *
 *   loadSigningKey(pemText) → OmsSigningKey {publicKey: SPKI DER, sign(message) → DER ECDSA}
 *
 * Signing uses OpenSSL (node:crypto) with the hash of the key's size, as the reference does (SHA-256 for
 * P-256, SHA-384 for P-384, SHA-512 for P-521). The key never leaves this object. A file that is not such
 * a key is ERR_INVALID_KEY; an encrypted one says so.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { GovfedError } from '../../protocol/errors.ts';
import type { OmsSigningKey } from '../../protocol/registry/oms/index.ts';

const HASH_OF_CURVE: Readonly<Record<string, string>> = {
  prime256v1: 'sha256',
  secp384r1: 'sha384',
  secp521r1: 'sha512',
};

export function loadSigningKey(pem: string): OmsSigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    const encrypted = /ENCRYPTED/.test(pem);
    throw new GovfedError(
      'ERR_INVALID_KEY',
      encrypted
        ? 'the private key is encrypted: decrypt it first (openssl pkey -in KEY -out PLAIN)'
        : 'not a PEM private key',
      { cause },
    );
  }
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const hash = curve === undefined ? undefined : HASH_OF_CURVE[curve];
  if (hash === undefined) {
    throw new GovfedError('ERR_INVALID_KEY', 'expected an EC private key on P-256, P-384 or P-521');
  }
  const publicKey = new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  return {
    publicKey,
    sign: (message) => new Uint8Array(sign(hash, message, { key, dsaEncoding: 'der' })),
  };
}
