/**
 * Builds the web console (console/ → console/dist): esbuild bundles console/main.tsx with Preact and the
 * project's protocol code (the browser verifies proofs with protocol/audit, not a second verifier) into
 * one minified ES module, app.js, and app.css with the stylesheets it imports (uPlot's) into one minified
 * app.css; index.html and icon.svg are copied. `npm ci` runs it as the
 * `prepare` script, so a node serves a built console without a CDN or a network at run time; run it
 * again with `npm run build:console` after changing console/.
 *
 * The output is deterministic (no timestamps, no source paths), so two builds of one tree are equal.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const src = fileURLToPath(new URL('../console/', import.meta.url));
const out = `${src}dist/`;

export async function buildConsole(outdir: string = out): Promise<void> {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: [`${src}main.tsx`],
    outfile: `${outdir}app.js`,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    legalComments: 'eof',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: `${src}tsconfig.json`,
    logLevel: 'warning',
  });
  // app.css with uPlot's stylesheet (its @import) in one file: the CSP allows styles from 'self' only.
  await build({
    entryPoints: [`${src}app.css`],
    outfile: `${outdir}app.css`,
    bundle: true,
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'icon.svg']) await copyFile(`${src}${f}`, `${outdir}${f}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildConsole();
  console.log(`govfed console built in ${out}`);
}
