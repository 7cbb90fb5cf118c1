/**
 * The console's side of GET /v1/events: a fetch() with the bearer token whose body is read as a stream
 * and parsed by eventsource-parser (the server-sent events format) — EventSource cannot send an
 * Authorization header, and the token must never go into a URL. When the stream ends or fails, it
 * connects again after a growing delay (1 s … 30 s); 401/403 stop it (the token is no longer good).
 */
import { createParser } from 'eventsource-parser';
import { ApiError, type ConsoleApi } from './api.ts';

export type LiveState = 'connecting' | 'live' | 'retrying' | 'stopped';

export interface LiveHandlers {
  onEvent(topic: string, data: Record<string, unknown>): void;
  onState?(state: LiveState, detail?: string): void;
}

/** Reads one response body of server-sent events until it ends; resolves when it does. */
export async function readEvents(body: ReadableStream<Uint8Array>, onEvent: LiveHandlers['onEvent']): Promise<void> {
  const parser = createParser({
    onEvent(e) {
      let data: unknown;
      try {
        data = JSON.parse(e.data);
      } catch {
        return; // not ours: the node writes JSON
      }
      if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
        onEvent(e.event ?? 'message', data as Record<string, unknown>);
      }
    },
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    parser.feed(decoder.decode(value, { stream: true }));
  }
}

/** Backoff before the n-th reconnection (n ≥ 1): 1 s doubling up to 30 s. */
export function retryDelayMs(n: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, n - 1));
}

/** Keeps a live stream open until `signal` aborts. */
export async function runLive(api: ConsoleApi, handlers: LiveHandlers, signal: AbortSignal): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    handlers.onState?.('connecting');
    try {
      const res = await api.request('/v1/events', { signal, headers: { accept: 'text/event-stream' } });
      if (res.body === null) throw new ApiError('ERR_BAD_RESPONSE', res.status, 'the stream has no body');
      await readEvents(res.body, (topic, data) => {
        if (topic === 'ready') {
          failures = 0;
          handlers.onState?.('live');
        }
        handlers.onEvent(topic, data);
      });
    } catch (err) {
      if (signal.aborted) break;
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        handlers.onState?.('stopped', err.code);
        return;
      }
    }
    if (signal.aborted) break;
    failures++;
    handlers.onState?.('retrying');
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, retryDelayMs(failures));
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  handlers.onState?.('stopped');
}
