/**
 * Test data and small readers for talking to a real node over HTTP.
 */
import { fromBase64 } from '../../protocol/encoding/bytes.ts';

/** `n` small, valid decision records with unique decision ids. */
export function makeRecords(n: number, prefix: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      model: 'credit-scorer-v2',
      decisionId: `${prefix}-${i}`,
      timestamp: '2025-06-01T12:00:00Z',
      inputDigest: `sha256:${'0123456789abcdef'.repeat(4)}`,
      output: i % 3 === 0 ? 'deny' : 'approve',
      jurisdiction: 'DE',
      dataClasses: ['financial'],
      context: { branch: 'online', amount: 1000 + i },
    });
  }
  return out;
}

/** The value of an unlabelled Prometheus sample `name` in a /metrics text, or undefined. */
export function metricValue(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `))
      return Number(
        line
          .slice(name.length + 1)
          .trim()
          .split(' ')[0],
      );
  }
  return undefined;
}

export interface AppendedEntry {
  index: number;
  leafHash: string;
}

/** POST /v1/decisions; throws unless 200. */
export async function postDecisions(
  url: string,
  token: string,
  records: unknown,
  signal?: AbortSignal,
): Promise<AppendedEntry[]> {
  const res = await fetch(`${url}/v1/decisions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(records),
    ...(signal === undefined ? {} : { signal }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /v1/decisions: ${res.status} ${text}`);
  return (JSON.parse(text) as { entries: AppendedEntry[] }).entries;
}

export async function getText(url: string, token: string): Promise<string> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text}`);
  return text;
}

export async function getJson<T>(url: string, token: string): Promise<T> {
  return JSON.parse(await getText(url, token)) as T;
}

export async function getBytes(url: string, token: string): Promise<Uint8Array> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

export function hashes(b64: readonly string[]): Uint8Array[] {
  return b64.map((h) => fromBase64(h));
}

/**
 * Waits until the daemon accepts `token` (GET /v1/node answers 200). A running daemon notices a token
 * added by `govfed token create` on its next check of tokens.json, at most 500 ms apart (NODE_DESIGN.md).
 */
export async function waitForToken(url: string, token: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/v1/node`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status === 200) return;
    if (res.status !== 401 || Date.now() > deadline) throw new Error(`token not accepted: HTTP ${res.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A request with a bearer token and an optional JSON body; the status and the JSON answer. */
export async function callJson<T>(
  url: string,
  token: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}
