/**
 * GET /tile/<L>/<N>[.p/<W>] and GET /tile/entries/<N>[.p/<W>] — the log as C2SP tlog-tiles
 * (protocol/log/tiles.ts), public, so standard tile clients can verify it and any static host can
 * mirror it. Tiles are served for the tree of the latest signed checkpoint (what GET /checkpoint
 * shows); anything past it is 404, a malformed path 400.
 *
 * The bytes at a tile path never change — a partial tile is named by its width — so every tile and
 * bundle is `Cache-Control: public, max-age=31536000, immutable`, as the spec asks for these
 * endpoints. Entry bundles are gzipped when the client accepts gzip.
 */
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { MAX_TILE_PATH_LENGTH, parseTilePath, tileInTree } from '../../../protocol/log/tiles.ts';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { errorResponses } from '../schemas/shared.ts';

const gzip = promisify(gzipCb);

export const TILE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** True when an Accept-Encoding header (untrusted) lists gzip with a non-zero q. */
function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined || header.length > 1024) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding?.trim() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

export function tilesGetRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { '*': string } }>(
    '/tile/*',
    {
      config: { access: 'public' },
      schema: {
        summary: 'A tlog-tiles hash tile (/tile/<L>/<N>[.p/<W>]) or entry bundle (/tile/entries/<N>[.p/<W>])',
        description:
          'c2sp.org/tlog-tiles: a hash tile is up to 256 concatenated 32-byte RFC 6962 hashes; an entry bundle is each leaf (the bytes of /v1/log/entries/{index}) prefixed by its big-endian uint16 length. No token needed.',
        tags: ['tiles'],
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['*'],
          properties: { '*': { type: 'string', minLength: 1, maxLength: MAX_TILE_PATH_LENGTH } },
        },
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: {
          200: {
            description: 'the tile or entry bundle bytes',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      // Untrusted: the rest of the URL path, parsed strictly (ERR_INVALID_INPUT, 400).
      const tile = parseTilePath(`tile/${request.params['*']}`);
      const size = ctx.log.checkpoint().size;
      if (!tileInTree(tile, size)) {
        throw new NodeError('ERR_NOT_FOUND', `no such tile in the tree of the latest checkpoint (size ${size})`);
      }
      let body = await ctx.log.tile(tile);
      reply.type('application/octet-stream').header('cache-control', TILE_CACHE_CONTROL);
      if (tile.kind === 'entries') {
        reply.header('vary', 'Accept-Encoding');
        if (acceptsGzip(request.headers['accept-encoding'])) {
          body = await gzip(body);
          reply.header('content-encoding', 'gzip');
        }
      }
      return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    },
  );
}
