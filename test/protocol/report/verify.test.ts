import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { fromUtf8, utf8 } from '../../../protocol/encoding/bytes.ts';
import type { Report, SignedReport } from '../../../protocol/report/report.ts';
import { verifyReport } from '../../../protocol/report/verify.ts';
import { contract, FED, MALLORY, makeReport, NOW_MS, signedFile, TALLIES } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const base = await makeReport();
const good = signedFile(base);

/** The report changed by `fn`, re-signed by eu (so the recomputation, not the signature, must catch it). */
function changed(fn: (r: Report) => void): Uint8Array {
  const r = structuredClone(base);
  fn(r);
  return signedFile(r);
}

describe('verifyReport', () => {
  describe('when the report is as made', () => {
    it('verifies, pinned to its federation, and says who signed it and which orgs prove it', () => {
      const v = verifyReport(good, { federationId: FED.id, now: NOW_MS });
      expect(v).toMatchObject({ federationPinned: true, signedBy: 'eu', evidence: 7, orgs: ['apac', 'eu', 'us'] });
    });

    it('sums every org’s signed counts into the summary', () => {
      const t = base.summary.total;
      expect(t.decisions).toBe(TALLIES.reduce((n, x) => n + x.decisions, 0));
      expect(t.denied).toBe(7);
      expect(t.deny).toEqual({ 'contract.purpose': 6, 'local:night': 1 });
      expect(t.flags).toEqual({ shadow_ai: 3 });
      expect(base.summary.deployedIn).toEqual(['apac', 'eu', 'us']);
    });
  });

  describe('when a byte changes', () => {
    it('fails on a byte outside the canonical form (ERR_MALFORMED_REPORT)', () => {
      const text = fromUtf8(good);
      expect(() => verifyReport(utf8(text.replace('{"report":', '{ "report":')))).toThrow(code('ERR_MALFORMED_REPORT'));
      expect(() => verifyReport(good.subarray(0, good.length - 1))).toThrow(code('ERR_MALFORMED_REPORT'));
    });

    it('fails on a changed number the signature covers (ERR_REPORT_DIGEST_MISMATCH)', () => {
      const text = fromUtf8(good).replace('"decisions":49', '"decisions":50');
      expect(text).not.toBe(fromUtf8(good));
      expect(() => verifyReport(utf8(text))).toThrow(code('ERR_REPORT_DIGEST_MISMATCH'));
    });

    it('fails when signed by another member than the one it names (ERR_BAD_SIGNATURE or ERR_UNKNOWN_SIGNER)', () => {
      expect(() => verifyReport(signedFile(base, 1))).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
  });

  describe('when the signer changed what it signed', () => {
    it('fails on a count that is not the signed statements’ sum (ERR_REPORT_MISMATCH)', () => {
      const f = changed((r) => {
        r.summary.total.decisions += 1;
      });
      expect(() => verifyReport(f)).toThrow(code('ERR_REPORT_MISMATCH'));
      const g = changed((r) => {
        const v = r.summary.versions[0] as Report['summary']['versions'][number];
        (v.counts.byOrg[0] as { denied: number }).denied = 0;
      });
      expect(() => verifyReport(g)).toThrow(code('ERR_REPORT_MISMATCH'));
    });

    it('fails on a control that the evidence does not give (ERR_REPORT_MISMATCH)', () => {
      const f = changed((r) => {
        (r.controls[0] as { status: string }).status = 'supported';
      });
      expect(() => verifyReport(f)).toThrow(code('ERR_REPORT_MISMATCH'));
    });

    it('fails on a changed proof hash (ERR_ROOT_MISMATCH)', () => {
      const f = changed((r) => {
        const e = r.evidence[0] as Report['evidence'][number];
        const h = Buffer.from(e.inclusion[0] as string, 'base64');
        h[3] = (h[3] as number) ^ 1;
        e.inclusion[0] = h.toString('base64');
      });
      expect(() => verifyReport(f)).toThrow(code('ERR_ROOT_MISMATCH'));
    });

    it('fails on a record whose org was changed (its log does not prove it there)', () => {
      const f = changed((r) => {
        (r.evidence[1] as { org: string }).org = 'us';
      });
      expect(() => verifyReport(f)).toThrow();
    });

    it('fails on a record swapped for another one (ERR_EVIDENCE_MISMATCH)', () => {
      const f = changed((r) => {
        const [a, b] = r.evidence as [Report['evidence'][number], Report['evidence'][number]];
        [a.record, b.record] = [b.record, a.record];
        [a.kind, b.kind] = [b.kind, a.kind];
      });
      expect(() => verifyReport(f)).toThrow(code('ERR_EVIDENCE_MISMATCH'));
    });

    it('fails on a checkpoint that lost a cosignature (ERR_WITNESS_THRESHOLD or malformed)', () => {
      const f = changed((r) => {
        const cp = (r.logs[0] as Report['logs'][number]).checkpoints[0] as { note: string; witnessKeys: string[] };
        const lines = cp.note.split('\n');
        lines.splice(lines.length - 2, 1);
        cp.note = lines.join('\n');
        cp.witnessKeys.pop();
      });
      expect(() => verifyReport(f)).toThrow(code('ERR_WITNESS_THRESHOLD'));
    });
  });

  describe('when a person-signed record is not what its roster vouches for', () => {
    const contractIndex = base.evidence.findIndex((e) => e.kind === 'contract');

    it('verifies the contract’s signature with alice’s key from eu’s roster', () => {
      expect(contractIndex).toBeGreaterThanOrEqual(0);
      expect(base.controls.find((c) => c.id === 'eu-ai-act-art-9')?.evidence).toContain(`e${contractIndex + 1}`);
    });

    it('fails without the signer’s roster (ERR_EVIDENCE_MISMATCH)', () => {
      expect(() => verifyReport(changed((r) => (r.rosters = [])))).toThrow(code('ERR_EVIDENCE_MISMATCH'));
    });

    it('fails on a record signed by a key the roster does not list for that person (ERR_EVIDENCE_MISMATCH)', () => {
      const f = changed((r) => {
        (r.evidence[contractIndex] as { record: unknown }).record = contract(MALLORY);
      });
      expect(() => verifyReport(f)).toThrow(code('ERR_EVIDENCE_MISMATCH'));
    });

    it('fails on a forged signature over the logged payload (the leaf alone would not catch it: ERR_BAD_SIGNATURE)', () => {
      const f = changed((r) => {
        const env = r.evidence[contractIndex]?.record as { signatures: { sig: string }[] };
        const sig = Buffer.from(env.signatures[0]?.sig as string, 'base64');
        sig[10] = (sig[10] as number) ^ 0x01;
        (env.signatures[0] as { sig: string }).sig = sig.toString('base64');
      });
      expect(() => verifyReport(f)).toThrow(code('ERR_BAD_SIGNATURE'));
    });

    it('fails on a roster not signed by its org’s node (ERR_BAD_SIGNATURE or ERR_UNKNOWN_SIGNER)', () => {
      const f = changed((r) => {
        const env = r.rosters[0] as { signatures: { keyid?: string; sig: string }[] };
        const sig = Buffer.from(env.signatures[0]?.sig as string, 'base64');
        sig[0] = (sig[0] as number) ^ 0x01;
        (env.signatures[0] as { sig: string }).sig = sig.toString('base64');
      });
      expect(() => verifyReport(f)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when the federation is pinned to another one', () => {
    it('fails (ERR_FEDERATION_MISMATCH)', () => {
      expect(() => verifyReport(good, { federationId: 'f'.repeat(64) })).toThrow(code('ERR_FEDERATION_MISMATCH'));
    });
  });

  it('reads back exactly the bytes it was written as', () => {
    const s = JSON.parse(fromUtf8(good)) as SignedReport;
    expect(canonicalBytes(s).length + 1).toBe(good.length);
  });
});
