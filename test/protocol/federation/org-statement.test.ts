import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { signEnvelope } from '../../../protocol/dsse/index.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import { type OrgStatementRules, openOrgStatement } from '../../../protocol/federation/org-statement.ts';
import { codeOf } from '../../helpers/async.ts';
import { peer, seed } from './fixtures.ts';

const TYPE = 'application/vnd.test.statement+json';
const RULES: OrgStatementRules = {
  what: 'test statement',
  payloadType: TYPE,
  maxPayloadBytes: 256,
  limits: { maxBytes: 4096, maxSignatures: 1 },
  malformed: (m, cause) => new GovfedError('ERR_MALFORMED_ENVELOPE', `test statement: ${m}`, { cause }),
};
const ORGS: Record<string, string> = { eu: peer(0), us: peer(1) };
const peerIdOf = (org: string) => ORGS[org];
const bytes = (v: unknown) => canonicalBytes(v);
const open = (env: unknown) => openOrgStatement(env, RULES, peerIdOf);

describe('openOrgStatement', () => {
  it("returns the payload and org of a statement signed by that org's member key", () => {
    expect(open(signAsPeer(TYPE, bytes({ org: 'eu', n: 1 }), seed(0)))).toEqual({
      payload: { org: 'eu', n: 1 },
      org: 'eu',
    });
  });

  it('refuses, each with its code: another member’s key, a stranger org, two signatures, another type', async () => {
    const at = (f: () => unknown) => codeOf(Promise.resolve().then(f));
    expect(await at(() => open(signAsPeer(TYPE, bytes({ org: 'eu' }), seed(1))))).toBe('ERR_UNKNOWN_SIGNER');
    expect(await at(() => open(signAsPeer(TYPE, bytes({ org: 'apac' }), seed(2))))).toBe('ERR_UNKNOWN_SIGNER');
    const two = signEnvelope(TYPE, bytes({ org: 'eu' }), [
      { keyid: peer(0), seed: seed(0) },
      { keyid: peer(1), seed: seed(1) },
    ]);
    expect(await at(() => open(two))).toMatch(/^ERR_MALFORMED/);
    expect(await at(() => open(signAsPeer('other/type', bytes({ org: 'eu' }), seed(0))))).toBe(
      'ERR_PAYLOAD_TYPE_MISMATCH',
    );
  });

  it('refuses a payload that is not canonical JSON, too large, or names no org (the statement’s malformed code)', async () => {
    const at = (f: () => unknown) => codeOf(Promise.resolve().then(f));
    const raw = (s: string) => signAsPeer(TYPE, new TextEncoder().encode(s), seed(0));
    expect(await at(() => open(raw('{"org": "eu"}')))).toBe('ERR_MALFORMED_ENVELOPE');
    expect(await at(() => open(signAsPeer(TYPE, bytes({ org: 'eu', pad: 'x'.repeat(300) }), seed(0))))).toBe(
      'ERR_MALFORMED_ENVELOPE',
    );
    expect(await at(() => open(signAsPeer(TYPE, bytes({ n: 1 }), seed(0))))).toBe('ERR_MALFORMED_ENVELOPE');
    expect(await at(() => open(signAsPeer(TYPE, bytes([1]), seed(0))))).toBe('ERR_MALFORMED_ENVELOPE');
  });

  it('checks the signature itself: a flipped payload byte fails (ERR_BAD_SIGNATURE)', async () => {
    const env = signAsPeer(TYPE, bytes({ org: 'eu', n: 1 }), seed(0));
    const tampered = { ...env, payload: Buffer.from(bytes({ org: 'eu', n: 2 })).toString('base64') };
    expect(await codeOf(Promise.resolve().then(() => open(tampered)))).toBe('ERR_BAD_SIGNATURE');
  });
});
