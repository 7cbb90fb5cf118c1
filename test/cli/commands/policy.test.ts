/**
 * The policy commands: argument handling, the offline `policy check`, and the output of the commands
 * that talk to a node (against a stub HTTP server; the end-to-end runs are in
 * test/integration/policy.test.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.ts';
import { bufferIo } from '../../../cli/output.ts';
import { ATTACK } from '../../protocol/policy/costly.ts';

async function run(argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

const GOOD = {
  id: 'no-biometric-in-eu',
  hook: 'decision',
  effect: 'deny',
  expression: "'biometric' in decision.dataClasses && decision.jurisdiction == 'EU'",
  message: 'biometric data may not be processed in the EU',
};

let dir = '';
const requests: { method: string; url: string; body: string }[] = [];
let server: Server;
let api = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govfed-policy-cli-'));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/policy/proposals') {
        res.end(
          JSON.stringify({
            id: `sha256:${'a'.repeat(64)}`,
            version: 2,
            signedBy: ['p'],
            required: 2,
            complete: false,
            applied: false,
          }),
        );
      } else if (req.url === '/v1/policy/status') {
        res.end(
          JSON.stringify({
            self: {
              version: 2,
              digest: `sha256:${'a'.repeat(64)}`,
              expiresAt: '2030-01-01T00:00:00Z',
              expired: false,
              logIndex: 9,
            },
            members: [{ org: 'eu', self: true, version: 2, bundleHash: `sha256:${'a'.repeat(64)}`, receipt: null }],
            pending: [],
            forks: [{ version: 2, digest: `sha256:${'b'.repeat(64)}` }],
          }),
        );
      } else {
        res.end(JSON.stringify({ version: 1, updatedAt: null, rules: [GOOD] }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('govfed policy', () => {
  describe('when asked for help', () => {
    it('lists every subcommand', async () => {
      const r = await run(['policy', '--help']);
      expect(r.code).toBe(0);
      for (const sub of ['propose', 'sign', 'status', 'show', 'local set', 'local show', 'check']) {
        expect(r.out).toContain(`policy ${sub}`);
      }
    });
  });

  describe('when required arguments are missing or malformed', () => {
    it('exits 2 (usage)', async () => {
      for (const argv of [
        ['policy', 'propose', '--api', api],
        ['policy', 'propose', '--file', '/nonexistent.json', '--api', api],
        ['policy', 'sign', '--api', api],
        ['policy', 'sign', 'not-an-id', '--api', api],
        ['policy', 'local', 'set', '--api', api],
        ['policy', 'check'],
      ]) {
        expect((await run(argv)).code, argv.join(' ')).toBe(2);
      }
    });

    it('exits 2 for a file that is not JSON or holds no rules', async () => {
      const notJson = join(dir, 'x.txt');
      await writeFile(notJson, 'rules: []');
      const noRules = join(dir, 'y.json');
      await writeFile(noRules, '{"rule": []}');
      expect((await run(['policy', 'check', '--file', notJson])).code).toBe(2);
      expect((await run(['policy', 'propose', '--file', noRules, '--api', api, '--token', 't'])).code).toBe(2);
    });

    it('exits 2 for a file JSON.parse would change (a key twice)', async () => {
      const twice = join(dir, 'twice.json');
      await writeFile(twice, '{"rules": [], "rules": []}');
      const r = await run(['policy', 'check', '--file', twice]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('appears twice');
    });
  });

  describe('policy check', () => {
    describe('when every rule checks', () => {
      it('exits 0 without a node', async () => {
        const file = join(dir, 'good.json');
        await writeFile(file, JSON.stringify({ rules: [GOOD] }));
        const r = await run(['policy', 'check', '--file', file]);
        expect(r.code).toBe(0);
        expect(r.out).toContain('ok');
      });
    });

    describe('when rules are malformed', () => {
      it('exits 1 and lists every problem with the rule and its place', async () => {
        const file = join(dir, 'bad.json');
        await writeFile(
          file,
          JSON.stringify({
            rules: [
              GOOD,
              { ...GOOD, id: 'typo', expression: "decison.model == 'a'" },
              { ...GOOD, id: 'types', expression: 'decision.model == 1' },
            ],
          }),
        );
        const r = await run(['policy', 'check', '--file', file]);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/typo.*decison/s);
        expect(r.err).toMatch(/types/);
        const j = await run(['policy', 'check', '--file', file, '--json']);
        expect(j.code).toBe(1);
        const parsed = JSON.parse(j.out) as { ok: boolean; errors: { rule: string }[] };
        expect(parsed.ok).toBe(false);
        expect(parsed.errors.map((e) => e.rule)).toEqual(expect.arrayContaining(['typo', 'types']));
      });
    });

    describe('when a rule is too costly (issue 10: a regex over concatenated copies, in exists)', () => {
      it('exits 1 with ERR_RULE_TOO_COSTLY, pointing at the place (the rule passed before)', async () => {
        const file = join(dir, 'costly.json');
        await writeFile(file, JSON.stringify({ rules: [GOOD, ATTACK] }));
        const r = await run(['policy', 'check', '--file', file]);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/attack \(1:\d+\): .*too costly/);
        expect(r.err).toContain('ERR_RULE_TOO_COSTLY');
        const j = await run(['policy', 'check', '--file', file, '--json']);
        const parsed = JSON.parse(j.out) as { errors: { code: string; rule: string; line: number }[] };
        expect(parsed.errors).toEqual([
          expect.objectContaining({ code: 'ERR_RULE_TOO_COSTLY', rule: 'attack', line: 1 }),
        ]);
      });
    });
  });

  describe('when talking to a node', () => {
    it('propose sends {rules, expiresAt} and prints the id (--json: an object with id)', async () => {
      const file = join(dir, 'bundle.json');
      await writeFile(file, JSON.stringify({ rules: [GOOD], expiresAt: '2030-01-01T00:00:00Z' }));
      const r = await run(['policy', 'propose', '--file', file, '--api', api, '--token', 't']);
      expect(r.code).toBe(0);
      expect(r.out.split('\n')[0]).toBe(`sha256:${'a'.repeat(64)}`);
      const last = requests.at(-1);
      expect(last?.method).toBe('POST');
      expect(JSON.parse(last?.body ?? '')).toEqual({ rules: [GOOD], expiresAt: '2030-01-01T00:00:00Z' });
      const j = await run(['policy', 'propose', '--file', file, '--api', api, '--token', 't', '--json']);
      expect(JSON.parse(j.out).id).toBe(`sha256:${'a'.repeat(64)}`);
    });

    it('sign posts to the proposal’s signatures', async () => {
      const r = await run(['policy', 'sign', 'abcdef0123', '--api', api, '--token', 't']);
      expect(r.code).toBe(0);
      expect(requests.at(-1)).toMatchObject({ method: 'POST', url: '/v1/policy/proposals/abcdef0123/signatures' });
    });

    it('local set puts the rules of a bare array file', async () => {
      const file = join(dir, 'local.json');
      await writeFile(file, JSON.stringify([GOOD]));
      const r = await run(['policy', 'local', 'set', '--file', file, '--api', api, '--token', 't']);
      expect(r.code).toBe(0);
      expect(requests.at(-1)).toMatchObject({ method: 'PUT', url: '/v1/policy/local' });
      expect(JSON.parse(requests.at(-1)?.body ?? '')).toEqual({ rules: [GOOD] });
      expect(r.out).toContain('no-biometric-in-eu');
    });

    it('status shows members and forks', async () => {
      const r = await run(['policy', 'status', '--api', api, '--token', 't']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/eu \(self\)\s+2/);
      expect(r.out).toContain('FORKS');
    });
  });

  describe('when the node is unreachable', () => {
    it('exits 3', async () => {
      expect((await run(['policy', 'status', '--api', '127.0.0.1:1', '--token', 'x'])).code).toBe(3);
    });
  });
});
