/**
 * The console's report view logic (console/logic/report.ts) over a real signed report
 * (test/protocol/report/fixtures.ts): the file's bytes are the CLI's, the verdict and the failing step are
 * protocol/report's verifier's, the federation id is pinned (the person's, else the node's, and it says
 * which). The node is a double here (pure logic); the browser test drives a real one
 * (test/integration/console-report.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { formatJson } from '../../../cli/output.ts';
import { ApiError } from '../../../console/logic/api.ts';
import {
  checkReportFile,
  downloadNames,
  fetchReport,
  oscalText,
  reportPath,
  reportSteps,
} from '../../../console/logic/report.ts';
import { fromUtf8, utf8 } from '../../../protocol/encoding/bytes.ts';
import { reportOscal } from '../../../protocol/report/oscal.ts';
import type { Report } from '../../../protocol/report/report.ts';
import { FED, makeReport, NOW_MS, signedFile } from '../../protocol/report/fixtures.ts';

const base = await makeReport();
const good = signedFile(base);
const MODEL = { org: 'eu', name: 'fraud', version: '1.0.0' };
const states = (o: { steps: { id: string; state: string }[] }) => o.steps.map((s) => `${s.id}:${s.state}`);

/** A node double answering `answer` for the report and `fedId` for GET /v1/federation; records paths. */
function node(answer: unknown, fedId: string | null = FED.id) {
  const asked: string[] = [];
  return {
    asked,
    api: {
      json: async <T>(path: string): Promise<T> => {
        asked.push(path);
        if (path.startsWith('/v1/reports/')) {
          if (answer instanceof Error) throw answer;
          return structuredClone(answer) as T;
        }
        if (path === '/v1/federation')
          return (fedId === null ? { federated: false } : { federated: true, id: fedId }) as T;
        throw new ApiError('ERR_NOT_FOUND', 404, path);
      },
    },
  };
}

describe('reportSteps', () => {
  it('marks every step passed, or those before the failing one passed and the rest not run', () => {
    expect(reportSteps().every((s) => s.state === 'passed')).toBe(true);
    expect(states({ steps: reportSteps('signature') }).slice(0, 4)).toEqual([
      'shape:passed',
      'federation:passed',
      'signature:failed',
      'checkpoints:not run',
    ]);
    expect(reportSteps('fetch').every((s) => s.state === 'not run')).toBe(true);
  });
});

describe('reportPath', () => {
  it('names the version by org, name and version, with the wait, and no token', () => {
    expect(reportPath({ org: 'e u', name: 'a/b', version: '1.0.0' }, 5000)).toBe(
      '/v1/reports/models/a%2Fb?org=e+u&version=1.0.0&waitMs=5000',
    );
  });
});

describe('checkReportFile', () => {
  describe('when the report is as signed', () => {
    it('verifies at every step, pinned, and keeps the exact bytes', () => {
      const o = checkReportFile(good, FED.id, 'node', NOW_MS);
      expect(o).toMatchObject({ ok: true, federationId: FED.id, pinnedBy: 'node', signedBy: 'eu', evidence: 7 });
      expect(o.steps.map((s) => s.state)).toEqual(Array(8).fill('passed'));
      expect(o.file).toBe(good);
    });
  });

  describe('when it is not', () => {
    it('fails at the federation step against another pin (ERR_FEDERATION_MISMATCH)', () => {
      const o = checkReportFile(good, 'ab'.repeat(32), 'you', NOW_MS);
      expect(o).toMatchObject({ ok: false, error: { code: 'ERR_FEDERATION_MISMATCH' }, pinnedBy: 'you' });
      expect(o.steps.find((s) => s.state === 'failed')?.id).toBe('federation');
      expect(o.report).toBeUndefined();
      expect(o.file).toBeUndefined();
    });

    it('fails at the signature step on a changed count (ERR_REPORT_DIGEST_MISMATCH)', () => {
      const text = fromUtf8(good).replace('"decisions":49', '"decisions":50');
      expect(text).not.toBe(fromUtf8(good));
      const o = checkReportFile(utf8(text), FED.id, 'node', NOW_MS);
      expect(o.error?.code).toBe('ERR_REPORT_DIGEST_MISMATCH');
      expect(states(o).slice(1, 4)).toEqual(['federation:passed', 'signature:failed', 'checkpoints:not run']);
    });

    it('fails at the summary step on a changed count its node signed (ERR_REPORT_MISMATCH)', () => {
      const r: Report = structuredClone(base);
      r.summary.total.decisions += 1;
      const o = checkReportFile(signedFile(r), FED.id, 'node', NOW_MS);
      expect(o.error?.code).toBe('ERR_REPORT_MISMATCH');
      expect(o.steps.find((s) => s.state === 'failed')?.id).toBe('summary');
      expect(o.steps.filter((s) => s.state === 'passed')).toHaveLength(6);
    });

    it('fails at the shape step on bytes out of canonical form', () => {
      const o = checkReportFile(good.subarray(0, good.length - 1), FED.id, 'node', NOW_MS);
      expect(o.error?.code).toBe('ERR_MALFORMED_REPORT');
      expect(o.steps[0]?.state).toBe('failed');
    });
  });
});

describe('fetchReport', () => {
  describe('when the node answers the report as JSON', () => {
    it('rebuilds the very file the CLI writes and pins the node’s federation id, saying so', async () => {
      const n = node(JSON.parse(fromUtf8(good)));
      const o = await fetchReport(n.api, MODEL);
      // The fixture's cosignatures are dated 2025: `now` (today) is after them, so they verify.
      expect(o).toMatchObject({ ok: true, pinnedBy: 'node', federationId: FED.id });
      expect(o.file).toEqual(good);
      expect(n.asked).toContain('/v1/federation');
      expect(n.asked.find((p) => p.startsWith('/v1/reports/'))).toBe(reportPath(MODEL));
    });

    it('tells when it asks and when it verifies, in that order', async () => {
      const phases: string[] = [];
      const o = await fetchReport(node(JSON.parse(fromUtf8(good))).api, MODEL, undefined, (p) => phases.push(p));
      expect(o.ok).toBe(true);
      expect(phases).toEqual(['asking', 'verifying']);
    });

    it('uses the person’s pin instead of asking the node', async () => {
      const n = node(JSON.parse(fromUtf8(good)));
      const o = await fetchReport(n.api, MODEL, 'cd'.repeat(32));
      expect(o).toMatchObject({ ok: false, pinnedBy: 'you', error: { code: 'ERR_FEDERATION_MISMATCH' } });
      expect(n.asked).not.toContain('/v1/federation');
    });
  });

  describe('when the node fails or sends something else', () => {
    it('reports the node’s code with no step run', async () => {
      const o = await fetchReport(node(new ApiError('ERR_FORBIDDEN', 403, 'no')).api, MODEL);
      expect(o).toMatchObject({ ok: false, error: { code: 'ERR_FORBIDDEN' } });
      expect(o.steps.every((s) => s.state === 'not run')).toBe(true);
    });

    it('fails at the shape step on an answer with another field', async () => {
      const o = await fetchReport(node({ ...JSON.parse(fromUtf8(good)), extra: 1 }).api, MODEL);
      expect(o.error?.code).toBe('ERR_MALFORMED_REPORT');
      expect(o.steps[0]?.state).toBe('failed');
    });

    it('fails when the node is in no federation', async () => {
      const o = await fetchReport(node(JSON.parse(fromUtf8(good)), null).api, MODEL);
      expect(o).toMatchObject({ ok: false, error: { code: 'ERR_NOT_FEDERATED' } });
    });
  });
});

describe('downloads', () => {
  it('names the files after the version, safely', () => {
    expect(downloadNames({ name: 'fraud model', version: '1.0/0' })).toEqual({
      json: 'fraud_model-1.0_0-report.json',
      oscal: 'fraud_model-1.0_0-report.oscal.json',
    });
  });

  it('writes the OSCAL form byte for byte as the CLI does', () => {
    expect(oscalText(base, good)).toBe(formatJson(reportOscal(base, good)));
  });
});
