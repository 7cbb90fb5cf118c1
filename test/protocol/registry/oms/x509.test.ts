import { describe, expect, it } from 'vitest';
import { verifyOmsBundle } from '../../../../protocol/registry/oms/index.ts';
import { CHAIN, files, flip, read, TWO } from './fixtures.ts';

describe('verifyOmsBundle on damaged certificates', () => {
  it('answers every flipped byte of the bundle certificates with a typed error', () => {
    const json = JSON.parse(read('v1.1.0-certificate', 'model.sig').toString('utf8'));
    const model = files('v1.1.0-certificate', TWO);
    for (const which of [0, 1]) {
      const der = Buffer.from(json.verificationMaterial.x509CertificateChain.certificates[which].rawBytes, 'base64');
      for (let i = 0; i < der.length; i += 23) {
        const b = structuredClone(json);
        const copy = Buffer.from(der);
        flip(copy, i, 0x01);
        b.verificationMaterial.x509CertificateChain.certificates[which].rawBytes = copy.toString('base64');
        let err: unknown;
        try {
          verifyOmsBundle(Buffer.from(JSON.stringify(b)), CHAIN, model);
        } catch (e) {
          err = e;
        }
        expect(err, `certificate ${which}, byte ${i}`).toHaveProperty('code', expect.stringMatching(/^ERR_/));
      }
    }
  });

  it('refuses a certificate with bytes after it: ERR_MALFORMED_CERTIFICATE', () => {
    const json = JSON.parse(read('v1.1.0-certificate', 'model.sig').toString('utf8'));
    const der = Buffer.from(json.verificationMaterial.x509CertificateChain.certificates[1].rawBytes, 'base64');
    json.verificationMaterial.x509CertificateChain.certificates[1].rawBytes = Buffer.concat([
      der,
      Buffer.of(0),
    ]).toString('base64');
    expect(() => verifyOmsBundle(Buffer.from(JSON.stringify(json)), CHAIN, files('v1.1.0-certificate', TWO))).toThrow(
      expect.objectContaining({ code: 'ERR_MALFORMED_CERTIFICATE' }),
    );
  });
});
