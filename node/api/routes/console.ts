/**
 * The web console (public: the files hold no data — every page reads the API with the token the person
 * logs in with, and shows nothing without one):
 *   GET /                  the console's page (console/dist/index.html)
 *   GET /console/:file     its script, style sheet and icon (only the names in CONSOLE_FILES)
 * with a strict Content-Security-Policy (node/api/console/assets.ts). When the console was not built,
 * both answer 503 ERR_CONSOLE_NOT_BUILT.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NodeError } from '../../errors.ts';
import { CONSOLE_FILES, CONSOLE_HEADERS, type ConsoleAssets, type ConsoleFile } from '../console/assets.ts';
import { emptyQuery, errorResponses } from '../schemas/shared.ts';

const SERVED = (Object.keys(CONSOLE_FILES) as ConsoleFile[]).filter((f) => f !== 'index.html');

function send(reply: FastifyReply, assets: ConsoleAssets, name: ConsoleFile): Buffer {
  const bytes = assets.files[name];
  if (bytes === undefined) {
    throw new NodeError(
      'ERR_CONSOLE_NOT_BUILT',
      `the web console was not built (missing ${assets.missing.join(', ')}): run npm run build:console`,
    );
  }
  reply.headers(CONSOLE_HEADERS).type(CONSOLE_FILES[name]);
  return bytes;
}

export function consoleRoutes(app: FastifyInstance, assets: ConsoleAssets): void {
  const page = { 200: { description: 'the file', type: 'string' }, ...errorResponses };
  app.get(
    '/',
    {
      config: { access: 'public' },
      schema: { summary: 'The web console', tags: ['console'], querystring: emptyQuery, response: page },
    },
    async (_request, reply) => send(reply, assets, 'index.html'),
  );
  app.get<{ Params: { file: ConsoleFile } }>(
    '/console/:file',
    {
      config: { access: 'public' },
      schema: {
        summary: 'A file of the web console',
        tags: ['console'],
        querystring: emptyQuery,
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['file'],
          properties: { file: { type: 'string', enum: SERVED } },
        },
        response: page,
      },
    },
    async (request, reply) => send(reply, assets, request.params.file),
  );
}
