/**
 * The federation commands' argument handling (the end-to-end runs are in test/integration/federation.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.ts';
import { bufferIo } from '../../../cli/output.ts';

async function run(argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('govfed federation', () => {
  describe('when asked for help', () => {
    it('lists the six subcommands', async () => {
      const r = await run(['federation', '--help']);
      expect(r.code).toBe(0);
      for (const sub of ['create', 'set-threshold', 'invite', 'sign', 'join', 'status']) {
        expect(r.out).toContain(`federation ${sub}`);
      }
    });
  });

  describe('when required arguments are missing or malformed', () => {
    it('exits 2 (usage)', async () => {
      for (const argv of [
        ['federation', 'create', '--api', '127.0.0.1:1'],
        ['federation', 'set-threshold', '--api', '127.0.0.1:1'],
        ['federation', 'set-threshold', '--admission', 'two', '--api', '127.0.0.1:1'],
        ['federation', 'invite', '--org', 'us', '--api', '127.0.0.1:1'],
        ['federation', 'sign', '--api', '127.0.0.1:1'],
        ['federation', 'join', '--api', '127.0.0.1:1'],
        ['federation', 'sign', '/nonexistent/proposal.json', '--api', '127.0.0.1:1'],
      ]) {
        expect((await run(argv)).code, argv.join(' ')).toBe(2);
      }
    });
  });

  describe('when the node is unreachable', () => {
    it('exits 3', async () => {
      expect((await run(['federation', 'status', '--api', '127.0.0.1:1', '--token', 'x'])).code).toBe(3);
    });
  });
});
