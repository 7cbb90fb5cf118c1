import { beforeAll, describe, expect, it } from 'vitest';
import {
  type OmsResource,
  type OmsTrust,
  omsStatement,
  verifyOmsBundle,
} from '../../../../protocol/registry/oms/index.ts';
import {
  CA,
  CHAIN,
  code,
  files,
  flip,
  INT_CA,
  KEY,
  type Mutable,
  PUB,
  rawBundle,
  read,
  sha,
  type TestKey,
  TWO,
  testKey,
} from './fixtures.ts';

describe('verifyOmsBundle', () => {
  describe('when given the reference vectors and the right trust', () => {
    it.each([
      ['v1.1.0-elliptic-key', KEY, files('v1.1.0-elliptic-key', TWO), 'v1.0', false],
      [
        'v1.0.0-elliptic-key',
        KEY,
        [{ name: '.', digest: sha(read('v1.0.0-elliptic-key', 'signme-1')) }],
        'v1.0',
        false,
      ],
      ['v1.1.0-certificate', CHAIN, files('v1.1.0-certificate', TWO), 'v1.0', false],
      ['v1.0.0-certificate', CHAIN, files('v1.0.0-certificate', TWO), 'v1.0', false],
      ['v0.2.0-certificate', CHAIN, files('v0.2.0-certificate', TWO), 'v0.2', true],
    ] as const)('%s verifies', (folder, trust, model, layout, compat) => {
      const r = verifyOmsBundle(read(folder, 'model.sig'), trust, model);
      expect(r.method).toBe(trust.method);
      expect(r.statement.layout).toBe(layout);
      expect(r.compatEncoding).toBe(compat);
      expect(r.files).toBe(model.length);
      expect(r.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('names the key by its hint and the certificate by its subject and path', () => {
      const k = verifyOmsBundle(read('v1.1.0-elliptic-key', 'model.sig'), KEY, files('v1.1.0-elliptic-key', TWO));
      expect(k.signer).toEqual({
        method: 'key',
        keyHint: 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e',
        curve: 'P-384',
      });
      const c = verifyOmsBundle(read('v1.1.0-certificate', 'model.sig'), CHAIN, files('v1.1.0-certificate', TWO));
      expect(c.signer).toMatchObject({ method: 'certificate', curve: 'P-384' });
      expect(c.signer.method === 'certificate' && c.signer.path.at(-1)).toBe('CN=root-ca');
    });

    it('also trusts the intermediate when it is the given chain', () => {
      const r = verifyOmsBundle(
        read('v1.1.0-certificate', 'model.sig'),
        { method: 'certificate', certificateChain: INT_CA },
        files('v1.1.0-certificate', TWO),
      );
      expect(r.signer.method === 'certificate' && r.signer.path.at(-1)).toBe('CN=intermediate-ca');
    });

    it('honours the ignore paths the signature records', () => {
      const model = [...files('v1.1.0-elliptic-key', TWO), { name: 'ignore-me', digest: sha('') }];
      expect(verifyOmsBundle(read('v1.1.0-elliptic-key', 'model.sig'), KEY, model).files).toBe(2);
    });
  });

  describe('when the signer is not the trusted one', () => {
    it('refuses another key whose hint does not match: ERR_UNKNOWN_KEY', () => {
      const other = testKey('P-384');
      expect(() =>
        verifyOmsBundle(
          read('v1.1.0-elliptic-key', 'model.sig'),
          { method: 'key', publicKey: other.pem },
          files('v1.1.0-elliptic-key', TWO),
        ),
      ).toThrow(code('ERR_UNKNOWN_KEY'));
    });

    it('refuses another key on a bundle without a hint: ERR_BAD_SIGNATURE', () => {
      const other = testKey('P-384');
      expect(() =>
        verifyOmsBundle(read('v1.0.0-elliptic-key', 'model.sig'), { method: 'key', publicKey: other.pem }, []),
      ).toThrow(code('ERR_BAD_SIGNATURE'));
    });

    it('refuses a chain that does not lead to the bundle: ERR_UNTRUSTED_CERTIFICATE', () => {
      // The keyless vector's Fulcio certificate: a real certificate of another PKI.
      const keyless = JSON.parse(read('v1.1.0-sigstore', 'model.sig').toString('utf8'));
      const der: string = keyless.verificationMaterial.certificate.rawBytes;
      const pem = `-----BEGIN CERTIFICATE-----\n${der.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
      expect(() =>
        verifyOmsBundle(
          read('v1.1.0-certificate', 'model.sig'),
          { method: 'certificate', certificateChain: pem },
          files('v1.1.0-certificate', TWO),
        ),
      ).toThrow(code('ERR_UNTRUSTED_CERTIFICATE'));
    });

    it('refuses a key-signed bundle under --certificate-chain: ERR_UNTRUSTED_CERTIFICATE', () => {
      expect(() =>
        verifyOmsBundle(read('v1.1.0-elliptic-key', 'model.sig'), CHAIN, files('v1.1.0-elliptic-key', TWO)),
      ).toThrow(code('ERR_UNTRUSTED_CERTIFICATE'));
    });

    it('refuses a PEM that is not a key or not a certificate', () => {
      expect(() =>
        verifyOmsBundle(read('v1.1.0-elliptic-key', 'model.sig'), { method: 'key', publicKey: CA }, []),
      ).toThrow(code('ERR_INVALID_KEY'));
      expect(() =>
        verifyOmsBundle(read('v1.1.0-certificate', 'model.sig'), { method: 'certificate', certificateChain: PUB }, []),
      ).toThrow(code('ERR_MALFORMED_CERTIFICATE'));
    });

    it('refuses a keyless bundle: ERR_KEYLESS_UNSUPPORTED', () => {
      expect(() => verifyOmsBundle(read('v1.1.0-sigstore', 'model.sig'), CHAIN, files('v1.1.0-sigstore', TWO))).toThrow(
        code('ERR_KEYLESS_UNSUPPORTED'),
      );
    });
  });

  describe('when the model on disk differs from the signed one', () => {
    const bundle = () => read('v1.1.0-elliptic-key', 'model.sig');
    const good = () => files('v1.1.0-elliptic-key', TWO);

    it('refuses a changed file, naming it: ERR_MODEL_FILE_CHANGED', () => {
      const model = good().map((f) => (f.name === 'signme-2' ? { ...f, digest: sha('changed') } : f));
      expect(() => verifyOmsBundle(bundle(), KEY, model)).toThrow(
        expect.objectContaining({ code: 'ERR_MODEL_FILE_CHANGED', file: 'signme-2' }),
      );
    });

    it('refuses an added file, naming it: ERR_MODEL_FILE_UNSIGNED', () => {
      const model = [...good(), { name: 'extra/weights.bin', digest: sha('x') }];
      expect(() => verifyOmsBundle(bundle(), KEY, model)).toThrow(
        expect.objectContaining({ code: 'ERR_MODEL_FILE_UNSIGNED', file: 'extra/weights.bin' }),
      );
    });

    it('refuses a missing file, naming it: ERR_MODEL_FILE_MISSING', () => {
      const model = good().filter((f) => f.name !== 'signme-1');
      expect(() => verifyOmsBundle(bundle(), KEY, model)).toThrow(
        expect.objectContaining({ code: 'ERR_MODEL_FILE_MISSING', file: 'signme-1' }),
      );
    });
  });

  describe('when the bundle itself is tampered with or malformed', () => {
    it('refuses a flipped byte of the signature or of the payload', () => {
      const json = JSON.parse(read('v1.1.0-elliptic-key', 'model.sig').toString('utf8'));
      const sig = Buffer.from(json.dsseEnvelope.signatures[0].sig, 'base64');
      flip(sig, sig.length - 1, 1);
      const badSig = structuredClone(json);
      badSig.dsseEnvelope.signatures[0].sig = sig.toString('base64');
      expect(() => verifyOmsBundle(Buffer.from(JSON.stringify(badSig)), KEY, [])).toThrow(code('ERR_BAD_SIGNATURE'));
      const payload = Buffer.from(json.dsseEnvelope.payload, 'base64');
      flip(payload, payload.indexOf('signme-2'), 1);
      const badPayload = structuredClone(json);
      badPayload.dsseEnvelope.payload = payload.toString('base64');
      expect(() => verifyOmsBundle(Buffer.from(JSON.stringify(badPayload)), KEY, [])).toThrow(
        code('ERR_BAD_SIGNATURE'),
      );
    });

    it('refuses every flipped byte of the file with a typed error, never a raw throw', () => {
      const bytes = read('v1.1.0-elliptic-key', 'model.sig');
      for (let i = 0; i < bytes.length; i += 7) {
        const copy = Buffer.from(bytes);
        flip(copy, i, 0x20);
        let err: unknown;
        try {
          verifyOmsBundle(copy, KEY, files('v1.1.0-elliptic-key', TWO));
        } catch (e) {
          err = e;
        }
        if (err === undefined) continue; // a flip inside JSON whitespace or letter case of a hex-free key is harmless
        expect(err).toHaveProperty('code', expect.stringMatching(/^ERR_/));
      }
    });

    it.each([
      ['not JSON', Buffer.from('{"mediaType":')],
      ['not UTF-8', Buffer.from([0xff, 0xfe])],
      ['an array', Buffer.from('[]')],
      ['a duplicate key', Buffer.from('{"mediaType":"a","mediaType":"b"}')],
      ['over 4 MiB', Buffer.alloc(4 * 1024 * 1024 + 1, 0x20)],
    ])('refuses %s: ERR_MALFORMED_OMS_BUNDLE', (_what, bytes) => {
      expect(() => verifyOmsBundle(bytes, KEY, [])).toThrow(code('ERR_MALFORMED_OMS_BUNDLE'));
    });

    it('refuses a wrong media type, an unknown field, two signatures: ERR_MALFORMED_OMS_BUNDLE', () => {
      const json = JSON.parse(read('v1.1.0-elliptic-key', 'model.sig').toString('utf8'));
      const mutations = [
        (b: typeof json) => {
          b.mediaType = 'application/vnd.dev.sigstore.bundle.v0.1+json';
        },
        (b: typeof json) => {
          b.extra = 1;
        },
        (b: typeof json) => {
          b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0]);
        },
        (b: typeof json) => {
          b.verificationMaterial.x509CertificateChain = { certificates: [] };
        },
        (b: typeof json) => {
          b.dsseEnvelope.payload = 'not base64!';
        },
      ];
      for (const mutate of mutations) {
        const b = structuredClone(json);
        mutate(b);
        expect(() => verifyOmsBundle(Buffer.from(JSON.stringify(b)), KEY, [])).toThrow(
          code('ERR_MALFORMED_OMS_BUNDLE'),
        );
      }
    });

    it('refuses a certificate that does not parse: ERR_MALFORMED_CERTIFICATE', () => {
      const json = JSON.parse(read('v1.1.0-certificate', 'model.sig').toString('utf8'));
      json.verificationMaterial.x509CertificateChain.certificates[0].rawBytes =
        Buffer.from('garbage').toString('base64');
      expect(() => verifyOmsBundle(Buffer.from(JSON.stringify(json)), CHAIN, [])).toThrow(
        code('ERR_MALFORMED_CERTIFICATE'),
      );
    });
  });

  describe('when a correctly signed statement is not an OMS v1.0 statement', () => {
    let k: TestKey;
    let trust: OmsTrust;
    const model: OmsResource[] = [{ name: 'w.bin', digest: sha('w') }];
    beforeAll(() => {
      k = testKey('P-256');
      trust = { method: 'key', publicKey: k.pem };
    });
    const statementWith = (change: (s: Mutable) => void): Uint8Array => {
      const s = omsStatement({ modelName: 'm', resources: model }) as Mutable;
      change(s);
      return Buffer.from(JSON.stringify(s));
    };

    it('refuses another predicate type: ERR_PREDICATE_TYPE_MISMATCH', () => {
      const payload = statementWith((s) => {
        s.predicateType = 'https://slsa.dev/provenance/v1';
      });
      expect(() => verifyOmsBundle(rawBundle(k, payload), trust, model)).toThrow(code('ERR_PREDICATE_TYPE_MISMATCH'));
    });

    it('refuses another payload type: ERR_PAYLOAD_TYPE_MISMATCH', () => {
      expect(() =>
        verifyOmsBundle(
          rawBundle(
            k,
            statementWith(() => {}),
            'application/json',
          ),
          trust,
          model,
        ),
      ).toThrow(code('ERR_PAYLOAD_TYPE_MISMATCH'));
    });

    it("refuses two subjects, a root that is not the resources', a bad resource name: ERR_MALFORMED_STATEMENT", () => {
      const bad = [
        statementWith((s) => {
          s.subject.push(s.subject[0]);
        }),
        statementWith((s) => {
          s.subject[0].digest.sha256 = '00'.repeat(32);
        }),
        statementWith((s) => {
          s.predicate.resources[0].name = '../etc/passwd';
        }),
        statementWith((s) => {
          s._type = 'https://in-toto.io/Statement/v0.1';
        }),
        statementWith((s) => {
          s.predicate.resources = [];
          s.subject[0].digest.sha256 = sha(new Uint8Array(0));
        }),
        statementWith((s) => {
          s.predicate.serialization.ignore_paths = ['.'];
        }),
        Buffer.from('not json'),
      ];
      for (const payload of bad) {
        expect(() => verifyOmsBundle(rawBundle(k, payload), trust, model)).toThrow(code('ERR_MALFORMED_STATEMENT'));
      }
    });

    it('refuses serializations govfed does not implement: ERR_UNSUPPORTED_ALGORITHM', () => {
      const shards = statementWith((s) => {
        s.predicate.serialization = { method: 'shards', hash_type: 'sha256', shard_size: 1000, allow_symlinks: false };
      });
      const blake = statementWith((s) => {
        s.predicate.serialization.hash_type = 'blake3';
      });
      for (const payload of [shards, blake]) {
        expect(() => verifyOmsBundle(rawBundle(k, payload), trust, model)).toThrow(code('ERR_UNSUPPORTED_ALGORITHM'));
      }
    });
  });
});
