/**
 * The web console's static files (console/ in the repository, bundled into console/dist by
 * scripts/build-console.ts at install: `npm ci` runs it as the `prepare` script). The node serves only
 * the files listed in CONSOLE_FILES, read once when the API is built: no path from a request ever reaches
 * the file system. Missing files (the build did not run) are reported by `missing`, and GET / then
 * answers 503 ERR_CONSOLE_NOT_BUILT.
 *
 * Every console response carries CONSOLE_HEADERS: a strict Content-Security-Policy — scripts, styles and
 * connections from this origin only, no inline script or style, no frames, no forms posting elsewhere —
 * and the usual hardening headers. Nothing is fetched from another host at run time (nodes run in closed
 * networks).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the build writes the console (console/dist). */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

/** The files served, by name, with their content type. `index.html` is served at `/`, the others at `/console/<name>`. */
export const CONSOLE_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
} as const;

export type ConsoleFile = keyof typeof CONSOLE_FILES;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-cache',
} as const;

export interface ConsoleAssets {
  /** The bytes of each file that exists. */
  files: Partial<Record<ConsoleFile, Buffer>>;
  /** The files the build should have written and did not. */
  missing: ConsoleFile[];
}

/** Reads the console's files from `dir` (default CONSOLE_DIST). */
export function loadConsoleAssets(dir: string = CONSOLE_DIST): ConsoleAssets {
  const files: ConsoleAssets['files'] = {};
  const missing: ConsoleFile[] = [];
  for (const name of Object.keys(CONSOLE_FILES) as ConsoleFile[]) {
    try {
      files[name] = readFileSync(`${dir.replace(/\/?$/, '/')}${name}`);
    } catch {
      missing.push(name);
    }
  }
  return { files, missing };
}
