/**
 * The org's recorded keys and the comparison of a home with them (node/ha/org-keys.ts): pure logic.
 */
import { describe, expect, it } from 'vitest';
import {
  encodeOrgKeys,
  keyDifferences,
  keysOfConfig,
  keysOutdated,
  MAX_RECORD_BYTES,
  type OrgKeys,
  type OrgKeysRecord,
  parseOrgKeys,
} from '../../../node/ha/org-keys.ts';

const keys: OrgKeys = {
  org: 'acme',
  origin: 'govfed/acme/0a1b2c3d',
  verifierKey: 'govfed/acme/0a1b2c3d+0a1b2c3d+AQID',
  peerId: '12D3KooWOld',
  witnessKey: 'govfed/acme/witness+11223344+BAUG',
};
const record: OrgKeysRecord = {
  v: 1,
  ...keys,
  by: { holder: 'host-a:101:abcd', home: '/var/lib/govfed/acme' },
  at: '2026-12-06T06:00:00.000Z',
};
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const where = '"govfed".node_state \'ha/keys\'';

describe('keysOfConfig', () => {
  it("takes a home's public keys from its config.json", () => {
    const config = { ...keys, api: '127.0.0.1:7370', listen: '/ip4/0.0.0.0/tcp/7371' };
    expect(keysOfConfig(config)).toEqual(keys);
  });

  describe('when the config names no witness key (a home from before witnessing)', () => {
    it('gives an empty witness key, which differs from any recorded one', () => {
      const { witnessKey: _, ...old } = keys;
      const home = keysOfConfig(old);
      expect(home.witnessKey).toBe('');
      expect(keyDifferences(home, keys).map((d) => d.field)).toEqual(['witnessKey']);
    });
  });
});

describe('keyDifferences', () => {
  it('is empty when the home holds the recorded keys', () => {
    expect(keyDifferences(keys, record)).toEqual([]);
  });

  describe('when a rotation changed the peer key', () => {
    it('names the peer id, with both values', () => {
      expect(keyDifferences(keys, { ...keys, peerId: '12D3KooWNew' })).toEqual([
        { field: 'peerId', home: '12D3KooWOld', recorded: '12D3KooWNew' },
      ]);
    });
  });

  describe('when every key differs (the home of another node)', () => {
    it('names each field once, in a fixed order', () => {
      const other: OrgKeys = { org: 'beta', origin: 'o2', verifierKey: 'v2', peerId: 'p2', witnessKey: 'w2' };
      expect(keyDifferences(keys, other).map((d) => d.field)).toEqual([
        'org',
        'origin',
        'verifierKey',
        'peerId',
        'witnessKey',
      ]);
    });
  });
});

describe('parseOrgKeys', () => {
  it('reads back what encodeOrgKeys wrote', () => {
    expect(parseOrgKeys(encodeOrgKeys(record), where)).toEqual(record);
  });

  describe('when the stored bytes are not a record', () => {
    const cases: [string, Uint8Array][] = [
      ['not JSON', new TextEncoder().encode('{"v":1,')],
      ['not UTF-8', new Uint8Array([0xff, 0xfe])],
      ['an array', bytes([record])],
      ['another version', bytes({ ...record, v: 2 })],
      ['an unknown field', bytes({ ...record, extra: 1 })],
      ['a missing key', bytes({ ...record, peerId: undefined })],
      ['an empty key', bytes({ ...record, witnessKey: '' })],
      ['a key that is not a string', bytes({ ...record, origin: 7 })],
      ['a field too long', bytes({ ...record, verifierKey: 'x'.repeat(1025) })],
      ['by not an object', bytes({ ...record, by: 'host' })],
      ['by with another field', bytes({ ...record, by: { ...record.by, pid: 1 } })],
      ['at not a time', bytes({ ...record, at: 'yesterday' })],
      ['too large', new Uint8Array(MAX_RECORD_BYTES + 1).fill(0x20)],
    ];
    for (const [name, body] of cases) {
      it(`refuses ${name} with ERR_INVALID_CONFIG, naming where it is`, () => {
        let thrown: unknown;
        try {
          parseOrgKeys(body, where);
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toMatchObject({ code: 'ERR_INVALID_CONFIG' });
        expect((thrown as Error).message).toContain(where);
      });
    }
  });
});

describe('keysOutdated', () => {
  const home = { dir: '/srv/govfed/acme-b', api: '127.0.0.1:7380', listen: '/ip4/0.0.0.0/tcp/7381' };
  const diffs = keyDifferences(keys, { ...keys, peerId: '12D3KooWNew' });

  it('is ERR_KEYS_OUTDATED naming what differs and who recorded the current keys', () => {
    const err = keysOutdated(home, { ...record, peerId: '12D3KooWNew' }, diffs, where);
    expect(err.code).toBe('ERR_KEYS_OUTDATED');
    expect(err.message).toContain('peer id 12D3KooWOld here, 12D3KooWNew recorded');
    expect(err.message).toContain(where);
    expect(err.message).toContain('host-a:101:abcd');
  });

  it('gives the fix: this home made again from the recording home, keeping its own addresses', () => {
    const err = keysOutdated(home, record, diffs, where);
    expect(err.message).toContain(
      "'govfed ha add-process --from /var/lib/govfed/acme --home /srv/govfed/acme-b --api 127.0.0.1:7380 " +
        "--listen /ip4/0.0.0.0/tcp/7381'",
    );
    expect(err.message).toContain('move /srv/govfed/acme-b aside');
  });
});
