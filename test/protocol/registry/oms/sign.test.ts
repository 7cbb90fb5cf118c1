import { bundleFromJSON } from '@sigstore/bundle';
import { describe, expect, it } from 'vitest';
import {
  type OmsResource,
  omsStatement,
  signOmsStatement,
  verifyOmsBundle,
} from '../../../../protocol/registry/oms/index.ts';
import { code, read, sha, testKey } from './fixtures.ts';

describe('signOmsStatement', () => {
  describe('when signing a model and verifying the result', () => {
    it.each(['P-256', 'P-384', 'P-521'] as const)('round-trips with a %s key', (curve) => {
      const k = testKey(curve);
      const model: OmsResource[] = [
        { name: 'b/w.bin', digest: sha('w') },
        { name: 'a-b', digest: sha('x') },
        { name: 'config.json', digest: sha('{}') },
      ];
      const bundle = signOmsStatement(
        omsStatement({ modelName: 'm', resources: model, ignorePaths: ['model.sig'] }),
        k.signer,
      );
      const r = verifyOmsBundle(Buffer.from(bundle), { method: 'key', publicKey: k.pem }, [
        ...model,
        { name: 'model.sig', digest: sha('ignored') },
      ]);
      expect(r.files).toBe(3);
      expect(r.signer).toMatchObject({ method: 'key', curve });
      expect(r.statement.ignorePaths).toEqual(['model.sig']);
    });

    it('writes the reference shape: media type, publicKey hint, DSSE with keyid "", statement fields', () => {
      const k = testKey('P-384');
      const model: OmsResource[] = [{ name: 'w', digest: sha('w') }];
      const bundle = JSON.parse(signOmsStatement(omsStatement({ modelName: 'm', resources: model }), k.signer));
      const reference = JSON.parse(read('v1.1.0-elliptic-key', 'model.sig').toString('utf8'));
      expect(Object.keys(bundle)).toEqual(Object.keys(reference));
      expect(bundle.mediaType).toBe(reference.mediaType);
      expect(Object.keys(bundle.verificationMaterial).sort()).toEqual(
        Object.keys(reference.verificationMaterial).sort(),
      );
      expect(Object.keys(bundle.dsseEnvelope).sort()).toEqual(Object.keys(reference.dsseEnvelope).sort());
      expect(bundle.dsseEnvelope.signatures[0].keyid).toBe('');
      const ours = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
      const theirs = JSON.parse(Buffer.from(reference.dsseEnvelope.payload, 'base64').toString('utf8'));
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      expect(ours.predicateType).toBe(theirs.predicateType);
      expect(Object.keys(ours.predicate.resources[0]).sort()).toEqual(
        Object.keys(theirs.predicate.resources[0]).sort(),
      );
      expect(Object.keys(ours.predicate.serialization).sort()).toEqual(
        Object.keys(theirs.predicate.serialization)
          .filter((key) => key !== 'ignore_paths')
          .sort(),
      );
    });

    it('refuses a signer whose signature its own key does not verify', () => {
      const k = testKey('P-256');
      const liar = { publicKey: k.signer.publicKey, sign: () => testKey('P-256').signer.sign(Buffer.from('x')) };
      expect(() =>
        signOmsStatement(omsStatement({ modelName: 'm', resources: [{ name: 'w', digest: sha('w') }] }), liar),
      ).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when the model is empty or the ignore list covers it all', () => {
    it('refuses with ERR_INVALID_INPUT', () => {
      expect(() => omsStatement({ modelName: 'm', resources: [] })).toThrow(code('ERR_INVALID_INPUT'));
      expect(() =>
        omsStatement({ modelName: 'm', resources: [{ name: 'w', digest: sha('w') }], ignorePaths: ['.'] }),
      ).toThrow(code('ERR_INVALID_INPUT'));
    });
  });

  describe('when another implementation reads the bundle', () => {
    it("passes sigstore-js's bundle v0.3 schema check (@sigstore/bundle), as the reference's key bundles do", () => {
      const k = testKey('P-256');
      const ours = signOmsStatement(
        omsStatement({ modelName: 'm', resources: [{ name: 'w', digest: sha('w') }] }),
        k.signer,
      );
      for (const text of [ours, read('v1.1.0-elliptic-key', 'model.sig').toString('utf8')]) {
        const b = bundleFromJSON(JSON.parse(text));
        expect(b.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
        expect(b.verificationMaterial.content.$case).toBe('publicKey');
      }
    });
  });
});
