/**
 * An error the node answers over HTTP exits with its code's row in the exit-code table (node/errors.ts),
 * through the real client against a real HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../../cli/client.ts';
import { ExitCode, exitCodeFor } from '../../cli/exit.ts';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A node that answers every request with `status` and `{error: {code, message}}` (or `raw`). */
async function failing(status: number, code: string | undefined, raw?: string): Promise<ApiClient> {
  server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(raw ?? JSON.stringify({ error: { code, message: 'no' } }));
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return new ApiClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

describe('ApiError', () => {
  describe('when the node answers with a code of the table', () => {
    it.each([
      [400, 'ERR_VALIDATION', ExitCode.USAGE],
      [503, 'ERR_LOG_ROLLBACK', ExitCode.CHECK_FAILED],
      [502, 'ERR_BAD_PEER_RESPONSE', ExitCode.CHECK_FAILED],
      [400, 'ERR_ROOT_MISMATCH', ExitCode.CHECK_FAILED], // a protocol code: does not verify
      [409, 'ERR_NO_FEDERATION', ExitCode.ERROR],
      [503, 'ERR_SHUTTING_DOWN', ExitCode.ERROR],
    ])('HTTP %i %s exits %i', async (status, code, exit) => {
      const client = await failing(status, code);
      const err = await client.node().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status, code });
      expect(exitCodeFor(err)).toBe(exit);
    });
  });

  describe('when the code is unknown or the body is not an error', () => {
    it('exits 4', async () => {
      const unknown = await failing(418, 'ERR_SOMETHING_NEW');
      expect(exitCodeFor(await unknown.node().catch((e: unknown) => e))).toBe(ExitCode.ERROR);
    });

    it('exits 4 with HTTP_<status> as the code', async () => {
      const garbage = await failing(500, undefined, 'oops');
      const err = await garbage.node().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'HTTP_500' });
      expect(exitCodeFor(err)).toBe(ExitCode.ERROR);
    });
  });
});
