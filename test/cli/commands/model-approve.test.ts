/**
 * `govfed model approve|register|show` refuse a wrong command line before they sign or send anything
 * (exit 2, ERR_USAGE, naming the problem); the working paths run against real daemons in
 * test/integration/registry-models.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.ts';

// Nothing listens here: every case must fail before it would connect.
const API = ['--api', '127.0.0.1:9', '--token', 'x', '--json'];

async function usage(args: string[], says: RegExp): Promise<void> {
  const r = await runCli([...args, ...API]);
  expect(r.code, r.stderr).toBe(2);
  const out = JSON.parse(r.stdout) as { code: string; message: string };
  expect(out.code).toBe('ERR_USAGE');
  expect(out.message).toMatch(says);
}

describe('govfed model approve', () => {
  describe('when the model, the reason of a rejection, or a readable key is missing', () => {
    it('is a usage error naming it', async () => {
      await usage(['model', 'approve', '--key', 'k'], /NAME@VERSION/);
      await usage(['model', 'approve', 'fraud', '--key', 'k'], /NAME@VERSION/);
      await usage(['model', 'approve', 'fraud@1', '--key', 'k', '--reject'], /--reason/);
      await usage(['model', 'approve', 'fraud@1', '--key', 'k', '--expires', '401'], /--expires/);
      await usage(['model', 'approve', 'eu/fraud@1', '--key', 'k', '--org', 'us'], /disagree/);
      await usage(
        ['model', 'approve', 'fraud@1', '--key', '/nonexistent/alice.key'],
        /--key \/nonexistent\/alice.key: cannot read it \(ENOENT\)/,
      );
    }, 60_000);
  });
});

describe('govfed model register', () => {
  describe('when the model is given twice or not at all, or an OMS option is out of place', () => {
    it('is a usage error naming it', async () => {
      const base = ['model', 'register', '--name', 'm', '--version', '1', '--key', 'k'];
      await usage(base, /exactly one of --path/);
      await usage([...base, '--path', '.', '--external', 'a/b@c'], /exactly one of --path/);
      await usage([...base, '--external', 'a/b@c', '--oms-signature', 's'], /--oms-signature goes with --path/);
      await usage([...base, '--external', 'not a ref'], /--external/);
      await usage(
        ['model', 'register', '--name', 'a b', '--version', '1', '--key', 'k', '--external', 'a/b@c'],
        /--name/,
      );
    }, 60_000);
  });
});
