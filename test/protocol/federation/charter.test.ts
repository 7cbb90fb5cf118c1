import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../../../protocol/canonical/jcs.ts';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { toHex, utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  addMembers,
  type Charter,
  charterDigest,
  checkCharter,
  decodeCharter,
  encodeCharter,
  federationId,
  genesisCharter,
  MAX_MEMBERS,
  MAX_RETIRED_LOG_KEYS,
  memberLogKeys,
  nextCharter,
  witnessThreshold,
} from '../../../protocol/federation/charter.ts';
import { peerIdFromSeed } from '../../../protocol/federation/peer-id.ts';
import { signCharter } from '../../../protocol/federation/proposal.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const peer = (i: number) => peerIdFromSeed(new Uint8Array(32).fill(i + 1));
const member = (org: string, i: number) => ({ org, peerId: peer(i), jurisdiction: 'EU' });
const T0 = '2025-01-01T00:00:00Z';

function genesis(): Charter {
  return genesisCharter({
    name: 'Test federation',
    createdAt: T0,
    members: [member('us', 1), member('eu', 0)],
    thresholds: { admission: 1, policy: 3, charter: 2 },
  });
}

/** A copy of the genesis as a plain mutable JSON value. */
function raw(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(genesis()));
}

describe('genesisCharter', () => {
  describe('when the members are given unsorted', () => {
    it('sorts them by org', () => {
      expect(genesis().members.map((m) => m.org)).toEqual(['eu', 'us']);
    });
  });
});

describe('checkCharter', () => {
  describe('when the charter is well formed', () => {
    it('returns an equal copy', () => {
      expect(checkCharter(raw())).toEqual(genesis());
    });
  });

  describe('when a field is missing, unknown or of the wrong type', () => {
    const cases: [string, (c: Record<string, unknown>) => void][] = [
      ['unknown field', (c) => (c.extra = 1)],
      ['missing name', (c) => delete c.name],
      ['wrong type', (c) => (c.type = 'govfed.charter/v2')],
      ['version 0', (c) => (c.version = 0)],
      ['fractional version', (c) => (c.version = 1.5)],
      ['v1 with previous', (c) => (c.previous = `sha256:${'0'.repeat(64)}`)],
      ['v2 without previous', (c) => (c.version = 2)],
      ['bad timestamp', (c) => (c.createdAt = '2025-02-30T00:00:00Z')],
      ['control character in name', (c) => (c.name = 'a\nb')],
      ['no members', (c) => (c.members = [])],
      ['unsorted members', (c) => (c.members = [...(c.members as unknown[])].reverse())],
      ['duplicate org', (c) => ((c.members as { org: string }[])[1]!.org = 'eu')],
      ['duplicate peer id', (c) => ((c.members as { peerId: string }[])[1]!.peerId = peer(0))],
      ['bad peer id', (c) => ((c.members as { peerId: string }[])[0]!.peerId = 'QmNotAnEd25519Key')],
      ['bad org', (c) => ((c.members as { org: string }[])[0]!.org = '-eu')],
      ['bad jurisdiction', (c) => ((c.members as { jurisdiction: string }[])[0]!.jurisdiction = 'eu')],
      ['unknown member field', (c) => ((c.members as Record<string, unknown>[])[0]!.x = 1)],
      ['bad witness key', (c) => ((c.members as Record<string, unknown>[])[0]!.witnessKey = 'has space')],
      ['bad log key', (c) => ((c.members as Record<string, unknown>[])[0]!.logKey = '')],
      [
        'duplicate log key',
        (c) => {
          for (const m of c.members as Record<string, unknown>[]) m.logKey = 'govfed/x/1+abcd+AQ==';
        },
      ],
      ['empty retiredLogKeys', (c) => ((c.members as Record<string, unknown>[])[0]!.retiredLogKeys = [])],
      ['retiredLogKeys not a list', (c) => ((c.members as Record<string, unknown>[])[0]!.retiredLogKeys = 'k')],
      ['bad retired log key', (c) => ((c.members as Record<string, unknown>[])[0]!.retiredLogKeys = ['has space'])],
      [
        `more than ${MAX_RETIRED_LOG_KEYS} retired log keys`,
        (c) =>
          ((c.members as Record<string, unknown>[])[0]!.retiredLogKeys = Array.from(
            { length: MAX_RETIRED_LOG_KEYS + 1 },
            (_, i) => `govfed/eu/${i}+abcd+AQ==`,
          )),
      ],
      [
        "a retired log key that is another member's log key",
        (c) => {
          const [m0, m1] = c.members as Record<string, unknown>[];
          m0!.retiredLogKeys = ['govfed/x/1+abcd+AQ=='];
          m1!.logKey = 'govfed/x/1+abcd+AQ==';
        },
      ],
      [
        'a retired log key that is its own log key',
        (c) => {
          const m0 = (c.members as Record<string, unknown>[])[0]!;
          m0.logKey = 'govfed/x/1+abcd+AQ==';
          m0.retiredLogKeys = ['govfed/x/1+abcd+AQ=='];
        },
      ],
      ['zero witness threshold', (c) => ((c.thresholds as Record<string, unknown>).witness = 0)],
      ['fractional witness threshold', (c) => ((c.thresholds as Record<string, unknown>).witness = 1.5)],
      ['charter threshold above member count', (c) => ((c.thresholds as { charter: number }).charter = 3)],
      ['admission above charter', (c) => ((c.thresholds as { admission: number }).admission = 3)],
      ['zero admission', (c) => ((c.thresholds as { admission: number }).admission = 0)],
      ['policy above MAX_MEMBERS', (c) => ((c.thresholds as { policy: number }).policy = MAX_MEMBERS + 1)],
      ['unknown threshold', (c) => ((c.thresholds as Record<string, unknown>).x = 1)],
    ];
    for (const [what, mutate] of cases) {
      it(`throws ERR_MALFORMED_CHARTER for ${what}`, () => {
        const c = raw();
        mutate(c);
        expect(() => checkCharter(c)).toThrow(code('ERR_MALFORMED_CHARTER'));
      });
    }
  });

  describe('when the policy threshold exceeds the member count', () => {
    it('accepts it (the federation is forming)', () => {
      expect(checkCharter(raw()).thresholds.policy).toBe(3);
    });
  });
});

describe('checkCharter with log keys and a witness threshold', () => {
  describe('when members carry logKey and the thresholds a witness count', () => {
    it('keeps them', () => {
      const c = raw();
      (c.members as Record<string, unknown>[])[0]!.logKey = 'govfed/eu/0a0b0c0d+01020304+AQ==';
      (c.thresholds as Record<string, unknown>).witness = 1;
      const checked = checkCharter(c);
      expect(checked.members[0]?.logKey).toBe('govfed/eu/0a0b0c0d+01020304+AQ==');
      expect(checked.thresholds.witness).toBe(1);
    });
  });

  describe('when a member lists retired log keys (keys rotate --log)', () => {
    it('keeps them in order, and memberLogKeys gives the current key first', () => {
      const c = raw();
      const m0 = (c.members as Record<string, unknown>[])[0]!;
      m0.logKey = 'govfed/eu/0a0b0c0d+01020304+AQ==';
      m0.retiredLogKeys = ['govfed/eu/11111111+01020304+AQ==', 'govfed/eu/22222222+01020304+AQ=='];
      const checked = checkCharter(c);
      expect(checked.members[0]?.retiredLogKeys).toEqual(m0.retiredLogKeys);
      expect(memberLogKeys(checked.members[0]!)).toEqual([m0.logKey, ...(m0.retiredLogKeys as string[])]);
      expect(memberLogKeys(checked.members[1]!)).toEqual([]);
      // Charters without the field keep their bytes: it is absent, not an empty list.
      expect('retiredLogKeys' in (checked.members[1] as object)).toBe(false);
    });
  });
});

describe('witnessThreshold', () => {
  const withMembers = (n: number, witness?: number) =>
    genesisCharter({
      name: 'W',
      createdAt: T0,
      members: Array.from({ length: n }, (_, i) => member(`o${i}`, i)),
      thresholds: { admission: 1, policy: 1, charter: 1, ...(witness === undefined ? {} : { witness }) },
    });
  describe('without thresholds.witness', () => {
    it('is a majority of the other members', () => {
      expect([1, 2, 3, 4, 5, 10].map((n) => witnessThreshold(withMembers(n), 'o0'))).toEqual([0, 1, 2, 2, 3, 5]);
    });
  });
  describe('with thresholds.witness', () => {
    it('is that count, capped at the number of other members', () => {
      expect(witnessThreshold(withMembers(4, 1), 'o0')).toBe(1);
      expect(witnessThreshold(withMembers(4, 9), 'o0')).toBe(3);
    });
  });
});

describe('nextCharter keeps the witness threshold', () => {
  it('copies it when not changed', () => {
    const g = genesisCharter({
      name: 'W',
      createdAt: T0,
      members: [member('eu', 0)],
      thresholds: { admission: 1, policy: 1, charter: 1, witness: 2 },
    });
    expect(nextCharter(g, { createdAt: T0 }).thresholds.witness).toBe(2);
  });
});

describe('encodeCharter', () => {
  describe('for a valid charter', () => {
    it('is the RFC 8785 serialisation', () => {
      expect(encodeCharter(genesis())).toEqual(utf8(canonicalize(genesis())));
    });
  });
});

describe('decodeCharter', () => {
  describe('when given canonical bytes of a charter', () => {
    it('round-trips', () => {
      expect(decodeCharter(encodeCharter(genesis()))).toEqual(genesis());
    });
  });
  describe('when the bytes are not canonical', () => {
    it('throws ERR_NOT_CANONICAL', () => {
      expect(() => decodeCharter(utf8(JSON.stringify(genesis(), null, 1)))).toThrow(code('ERR_NOT_CANONICAL'));
    });
  });
  describe('when the bytes are not JSON', () => {
    it('throws ERR_MALFORMED_CHARTER', () => {
      expect(() => decodeCharter(utf8('{'))).toThrow(code('ERR_MALFORMED_CHARTER'));
    });
  });
  describe('when the bytes are too large', () => {
    it('throws ERR_MALFORMED_CHARTER before parsing', () => {
      expect(() => decodeCharter(new Uint8Array(256 * 1024 + 1))).toThrow(code('ERR_MALFORMED_CHARTER'));
    });
  });
});

describe('charterDigest and federationId', () => {
  describe('for the genesis', () => {
    it('are sha256 of the canonical bytes, prefixed and bare', () => {
      const hex = toHex(sha256(encodeCharter(genesis())));
      expect(charterDigest(genesis())).toBe(`sha256:${hex}`);
      expect(federationId(genesis())).toBe(hex);
      expect(hex).toMatch(/^[0-9a-f]{64}$/);
    });
  });
  describe('for a later version', () => {
    it('federationId throws ERR_MALFORMED_CHARTER', () => {
      const v2 = nextCharter(genesis(), { createdAt: T0 });
      expect(() => federationId(v2)).toThrow(code('ERR_MALFORMED_CHARTER'));
    });
  });
  describe('for any change of the name', () => {
    it('changes the federation id', () => {
      fc.assert(
        fc.property(
          fc.string({ minLength: 1, maxLength: 20 }).filter((s) => /^[ -~]+$/.test(s)),
          (name) => {
            fc.pre(name !== 'Test federation');
            const other = genesisCharter({ ...genesis(), name });
            expect(federationId(other)).not.toBe(federationId(genesis()));
          },
        ),
      );
    });
  });
});

describe('nextCharter', () => {
  describe('when only thresholds change', () => {
    it('bumps the version, links previous and keeps the rest', () => {
      const v2 = nextCharter(genesis(), { createdAt: T0, thresholds: { policy: 2 } });
      expect(v2.version).toBe(2);
      expect(v2.previous).toBe(charterDigest(genesis()));
      expect(v2.thresholds).toEqual({ admission: 1, policy: 2, charter: 2 });
      expect(v2.members).toEqual(genesis().members);
    });
  });
});

describe('addMembers', () => {
  describe('when adding an org that sorts first', () => {
    it('returns a sorted member list', () => {
      const v2 = addMembers(genesis(), [member('apac', 2)], T0);
      expect(v2.members.map((m) => m.org)).toEqual(['apac', 'eu', 'us']);
    });
  });
  describe('when the org already exists', () => {
    it('throws ERR_MALFORMED_CHARTER', () => {
      expect(() => addMembers(genesis(), [member('eu', 5)], T0)).toThrow(code('ERR_MALFORMED_CHARTER'));
    });
  });
});

describe('federationId (known answer, docs/federation-protocol.md)', () => {
  describe('for the documented example genesis', () => {
    it('has the documented bytes and id', () => {
      const g = genesisCharter({
        name: 'Example federation',
        createdAt: T0,
        members: [{ org: 'eu', peerId: peerIdFromSeed(exampleSeed(0)), jurisdiction: 'EU' }],
        thresholds: { admission: 1, policy: 2, charter: 1 },
      });
      expect(new TextDecoder().decode(encodeCharter(g))).toBe(
        '{"createdAt":"2025-01-01T00:00:00Z","members":[{"jurisdiction":"EU","org":"eu","peerId":' +
          '"12D3KooWRARowzzcmEe1ai4Qj9HpBHSo54WDKohf23xtBER5Ukd5"}],"name":"Example federation",' +
          '"previous":null,"thresholds":{"admission":1,"charter":1,"policy":2},"type":"govfed.charter/v1","version":1}',
      );
      expect(federationId(g)).toBe('c19841095d6bb8f0e2df903192ef132e28d564f0524507985ec0629d0ba8b18a');
    });
  });
});

describe('expiresAt (known answer, docs/PROTOCOL.md)', () => {
  const g = genesisCharter({
    name: 'Example federation',
    createdAt: T0,
    members: [{ org: 'eu', peerId: peerIdFromSeed(exampleSeed(0)), jurisdiction: 'EU' }],
    thresholds: { admission: 1, policy: 2, charter: 1 },
  });
  const us = { org: 'us', peerId: peerIdFromSeed(exampleSeed(1)), jurisdiction: 'US' };
  describe('for the documented admission with a deadline', () => {
    it('has the documented bytes and signature: expiresAt is inside what the inviter signs', () => {
      const v2 = addMembers(g, [us], '2025-01-02T00:00:00Z', '2025-01-03T00:00:00Z');
      expect(new TextDecoder().decode(encodeCharter(v2))).toBe(
        '{"createdAt":"2025-01-02T00:00:00Z","expiresAt":"2025-01-03T00:00:00Z","members":[{"jurisdiction":"EU","org":"eu","peerId":"12D3KooWRARowzzcmEe1ai4Qj9HpBHSo54WDKohf23xtBER5Ukd5"},{"jurisdiction":"US","org":"us","peerId":"12D3KooWA3Z7jDzQzFdgqvKMfseBCX5ReUKyEZrmvjCvCsKFrq7T"}],"name":"Example federation","previous":"sha256:c19841095d6bb8f0e2df903192ef132e28d564f0524507985ec0629d0ba8b18a","thresholds":{"admission":1,"charter":1,"policy":2},"type":"govfed.charter/v1","version":2}',
      );
      expect(signCharter(v2, exampleSeed(0)).signatures[0]?.sig).toBe(
        'v1A3/akX6RLbVnO2bsfQttiTCIiGRJwrEBCSSdk2Fv/nd7FNUFuqa2w+6M9aBqV/A+D3ooAT4JgiT5muUswEAA==',
      );
    });
  });
  describe('when the next version is built', () => {
    it('does not copy the deadline', () => {
      const v2 = addMembers(g, [us], '2025-01-02T00:00:00Z', '2025-01-03T00:00:00Z');
      expect(nextCharter(v2, { createdAt: T0 }).expiresAt).toBeUndefined();
    });
  });
  describe('when expiresAt is not an RFC 3339 UTC timestamp', () => {
    it('throws ERR_MALFORMED_CHARTER', () => {
      expect(() => checkCharter({ ...g, expiresAt: 'tomorrow' })).toThrow(code('ERR_MALFORMED_CHARTER'));
      expect(() => checkCharter({ ...g, expiresAt: 1 })).toThrow(code('ERR_MALFORMED_CHARTER'));
    });
  });
});

/** The documented example's seed i: byte j = (31 i + 7 j + 1) mod 256. */
function exampleSeed(i: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7 + 1) & 0xff);
}
