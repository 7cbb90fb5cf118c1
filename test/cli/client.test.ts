import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../cli/client.ts';
import { ExitCode } from '../../cli/exit.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server | undefined;

async function serve(handler: Handler): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const NODE = { org: 'acme', peerId: '12D3KooW', origin: 'govfed/acme/00000000', verifierKey: 'k' };

describe('ApiClient', () => {
  describe('when the node answers', () => {
    it('sends the bearer token and returns the checked JSON', async () => {
      let auth: string | undefined;
      const baseUrl = await serve((req, res) => {
        auth = req.headers.authorization;
        json(res, 200, NODE);
      });
      await expect(new ApiClient({ baseUrl, token: 'gf_admin_x' }).node()).resolves.toEqual(NODE);
      expect(auth).toBe('Bearer gf_admin_x');
    });

    it('returns entry bytes exactly', async () => {
      const bytes = new Uint8Array([0, 1, 2, 255]);
      const baseUrl = await serve((req, res) => {
        expect(req.url).toBe('/v1/log/entries/3');
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(bytes);
      });
      expect(await new ApiClient({ baseUrl }).entry(3)).toEqual(bytes);
    });

    it('passes proof parameters in the query', async () => {
      let url: string | undefined;
      const baseUrl = await serve((req, res) => {
        url = req.url;
        json(res, 200, { index: 1, treeSize: 4, leafHash: 'aGk=', proof: ['aGk='] });
      });
      await new ApiClient({ baseUrl }).inclusionProof(1, 4);
      expect(url).toBe('/v1/log/proofs/inclusion?index=1&treeSize=4');
    });
  });

  describe('when the node answers with an error status', () => {
    it('throws an ApiError with the status and the node code (exit 4)', async () => {
      const baseUrl = await serve((_req, res) => json(res, 403, { error: { code: 'ERR_FORBIDDEN', message: 'no' } }));
      await expect(new ApiClient({ baseUrl }).fsck()).rejects.toThrow(
        expect.objectContaining({ status: 403, code: 'ERR_FORBIDDEN', exitCode: ExitCode.ERROR }),
      );
    });

    it('falls back to the status when the body is not an error object', async () => {
      const baseUrl = await serve((_req, res) => {
        res.writeHead(502);
        res.end('<html>bad gateway</html>');
      });
      await expect(new ApiClient({ baseUrl }).checkpoint()).rejects.toThrow(
        expect.objectContaining({ status: 502, code: 'HTTP_502' }),
      );
    });
  });

  describe('when the response is malformed (untrusted)', () => {
    it('rejects invalid JSON', async () => {
      const baseUrl = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"org":');
      });
      await expect(new ApiClient({ baseUrl }).node()).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_BAD_RESPONSE' }),
      );
    });

    it('rejects a proof whose fields have the wrong types', async () => {
      const baseUrl = await serve((_req, res) => json(res, 200, { index: 1, treeSize: '4', leafHash: 'x', proof: [] }));
      await expect(new ApiClient({ baseUrl }).inclusionProof(1)).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_BAD_RESPONSE' }),
      );
    });
  });

  describe('when the node cannot be reached', () => {
    it('throws an UnreachableError (exit 3) for a refused connection', async () => {
      const baseUrl = await serve(() => undefined);
      await new Promise((r) => server?.close(r));
      server = undefined;
      await expect(new ApiClient({ baseUrl }).node()).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_UNREACHABLE', exitCode: ExitCode.UNREACHABLE }),
      );
    });

    it('throws an UnreachableError when the node does not answer in time', async () => {
      const baseUrl = await serve(() => undefined);
      await expect(new ApiClient({ baseUrl }, { timeoutMs: 100 }).node()).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_UNREACHABLE', message: expect.stringContaining('timed out') }),
      );
    });
  });
});
