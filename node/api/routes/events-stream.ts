/**
 * GET /v1/events (role auditor) — the live-update stream of the web console: server-sent events
 * (text/event-stream), one per LiveFeed message (node/api/live.ts): `event: <topic>` and `data: <JSON of
 * public scalar fields>`. The first event is `ready`; a comment line every HEARTBEAT_MS keeps proxies
 * from closing an idle stream.
 *
 * Authenticated like every route, with `Authorization: Bearer` — so a browser reads it with fetch() and
 * a streaming body, not EventSource (which cannot send headers); the token is never put in a URL.
 * At most MAX_STREAMS streams at once (503 ERR_TOO_MANY_STREAMS); when the node stops, every stream is
 * ended so shutdown does not wait for clients to hang up.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { NodeError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { LIVE_TOPICS, type LiveMessage } from '../live.ts';
import { emptyQuery, errorResponses } from '../schemas/shared.ts';

export const HEARTBEAT_MS = 15_000;

/** One server-sent event, as written on the wire. */
export function formatSse(event: string, data: unknown): string {
  // JSON.stringify never writes a raw newline, so one `data:` line holds the whole message.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function eventsStreamRoute(app: FastifyInstance, ctx: ApiContext): void {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });
  app.get(
    '/v1/events',
    {
      config: { access: 'auditor' },
      schema: {
        summary: 'Live updates for the web console: server-sent events (auditors only)',
        description:
          `A text/event-stream. Events: ready, then ${LIVE_TOPICS.join(', ')} — each a hint that what a page ` +
          'shows may have changed (read it again from the API), with a few public fields as JSON.',
        tags: ['console'],
        security: [{ bearer: [] }],
        querystring: emptyQuery,
        response: {
          200: { description: 'text/event-stream', type: 'string' },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const raw = reply.raw;
      const send = (m: LiveMessage) => {
        raw.write(formatSse(m.topic, m.data));
      };
      const unsubscribe = ctx.live.subscribe(send);
      if (unsubscribe === undefined) {
        throw new NodeError('ERR_TOO_MANY_STREAMS', 'this node serves as many live streams as it allows; retry later');
      }
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-accel-buffering': 'no',
      });
      raw.write(formatSse('ready', { topics: LIVE_TOPICS.join(',') }));
      open.add(raw);
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const done = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(raw);
      };
      raw.once('close', done);
      request.raw.once('close', () => {
        if (!raw.writableEnded) raw.end();
      });
    },
  );
}
