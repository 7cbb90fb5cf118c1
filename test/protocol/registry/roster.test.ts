import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyIdOf } from '../../../protocol/dsse/index.ts';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { peerIdFromSeed } from '../../../protocol/federation/peer-id.ts';
import {
  checkRoster,
  firstRoster,
  nextRoster,
  rosterDigest,
  rosterPerson,
  signRoster,
  verifyRoster,
} from '../../../protocol/registry/roster.ts';
import { vectorPath } from '../../helpers/paths.ts';
import {
  ALICE,
  BOB,
  EU_PEER_SEED,
  FEDERATION,
  rosterVectors,
  US_PEER_SEED,
  vectorRoster,
} from '../../vectors/roster/generate.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const vector = (name: string) => JSON.parse(readFileSync(vectorPath('roster', name), 'utf8')) as unknown;
const EU = { federation: FEDERATION, org: 'eu', orgPeerId: peerIdFromSeed(EU_PEER_SEED) };

describe('the roster vectors (test/vectors/roster)', () => {
  it('are what generate.ts produces, byte for byte', () => {
    for (const [name, text] of Object.entries(rosterVectors())) {
      expect(readFileSync(vectorPath('roster', name), 'utf8'), name).toBe(text);
    }
  });
  describe("valid.json and reindented.json (eu's node signed them)", () => {
    it('verify to the same roster: checked by signature, not bytes', () => {
      const r = verifyRoster(vector('valid.json'), EU);
      expect(r).toEqual(vectorRoster());
      expect(verifyRoster(vector('reindented.json'), EU)).toEqual(r);
    });
  });
  describe('tampered.json (another payload under the same signature)', () => {
    it('is ERR_BAD_SIGNATURE', () => {
      expect(() => verifyRoster(vector('tampered.json'), EU)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });
  describe("wrong-signer.json (us's node signed eu's roster)", () => {
    it('is ERR_UNKNOWN_SIGNER: only the peer the charter lists for eu may sign it', () => {
      expect(() => verifyRoster(vector('wrong-signer.json'), EU)).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
  });
  describe('valid.json checked for another org or federation', () => {
    it('is ERR_ROSTER_MISMATCH', () => {
      const env = signRoster(vectorRoster(), US_PEER_SEED);
      const asUs = { ...EU, org: 'us', orgPeerId: peerIdFromSeed(US_PEER_SEED) };
      expect(() => verifyRoster(env, asUs)).toThrow(code('ERR_ROSTER_MISMATCH'));
      expect(() => verifyRoster(vector('valid.json'), { ...EU, federation: 'cd'.repeat(32) })).toThrow(
        code('ERR_ROSTER_MISMATCH'),
      );
    });
  });
});

describe('nextRoster and rosterPerson', () => {
  describe('when alice is added and bob added then revoked', () => {
    it('chains the versions and finds only current people, with their role', () => {
      const r = vectorRoster();
      expect(r.version).toBe(4);
      expect(r.people.map((p) => p.name)).toEqual(['alice']);
      expect(r.revoked.map((p) => [p.name, p.role])).toEqual([['bob', 'legal']]);
      expect(rosterPerson(r, keyIdOf(ALICE.publicKey))).toMatchObject({ name: 'alice', role: 'risk_officer' });
      expect(rosterPerson(r, keyIdOf(BOB.publicKey))).toBeUndefined();
      const r1 = firstRoster(FEDERATION, 'eu', '2026-12-05T00:00:00Z');
      const r2 = nextRoster(
        r1,
        { add: { name: 'x', role: 'auditor', publicKey: toBase64(ALICE.publicKey) } },
        '2026-12-05T00:00:01Z',
      );
      expect(r2.previous).toBe(rosterDigest(r1));
    });
  });
  describe('when a name or a key is used twice, or an unknown person is revoked', () => {
    it('is ERR_MALFORMED_ROSTER (a revoked key cannot come back under another name)', () => {
      const r = vectorRoster();
      const again = (name: string, key: Uint8Array) =>
        nextRoster(r, { add: { name, role: 'legal', publicKey: toBase64(key) } }, r.issuedAt);
      expect(() => again('alice', BOB.publicKey)).toThrow(code('ERR_MALFORMED_ROSTER'));
      expect(() => again('carol', BOB.publicKey)).toThrow(code('ERR_MALFORMED_ROSTER'));
      expect(() => nextRoster(r, { revoke: 'nobody' }, r.issuedAt)).toThrow(code('ERR_MALFORMED_ROSTER'));
    });
  });
});

describe('checkRoster', () => {
  const r = vectorRoster();
  it.each([
    ['an unknown field', { ...r, extra: 1 }],
    ['an unknown role', { ...r, people: [{ ...r.people[0], role: 'ceo' }] }],
    ['a short key', { ...r, people: [{ ...r.people[0], publicKey: 'AAAA' }] }],
    ['a bad name', { ...r, people: [{ ...r.people[0], name: '../x' }] }],
    ['version 1 with a previous', { ...r, version: 1 }],
    ['version 2 without a previous', { ...r, previous: null }],
    ['another type', { ...r, type: 'govfed.roster/v2' }],
  ])('refuses %s: ERR_MALFORMED_ROSTER', (_, v) => {
    expect(() => checkRoster(v)).toThrow(code('ERR_MALFORMED_ROSTER'));
  });
});
