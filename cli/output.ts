/**
 * Output for people and for scripts.
 *
 * People get aligned tables and key/value blocks; `--json` gives exactly one JSON document on stdout.
 * Warnings and errors go to stderr so that stdout stays parseable. Strings that came from the network
 * or from a file (attacker-controlled) pass through `safeText` before they reach a terminal, so that
 * control characters cannot rewrite what the user sees.
 */

/** Where a command writes; the real process in production, buffers in tests. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const processIo: Io = {
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
  env: process.env,
};

/** An Io that records everything, for tests and for embedding. */
export function bufferIo(env: Record<string, string | undefined> = {}): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    env,
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
  };
  return io;
}

/** Replaces C0/C1 control characters and Unicode line separators with visible escapes. */
export function safeText(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Pretty JSON with a trailing newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * A key/value block:
 *
 *   org          acme
 *   origin       govfed/acme/1a2b3c4d
 */
export function formatKeyValues(pairs: ReadonlyArray<readonly [string, unknown]>): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${safeText(v)}\n`).join('');
}

/**
 * A table with a header row; columns are padded to the widest cell. Numbers are right-aligned.
 *
 *   INDEX  TYPE      LEAF HASH
 *       0  decision  q2x...
 */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const cells = rows.map((r) => header.map((_, i) => safeText(r[i] ?? '')));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...cells.map(line)].join('\n')}\n`;
}

/** "3.2 s", "120 ms" */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
