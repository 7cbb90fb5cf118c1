#!/usr/bin/env node
/**
 * `npm run openapi`: writes docs/openapi.json from the node API's route schemas, formatted by the
 * project's formatter (biome) so that `npm run lint` accepts it.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openapiJson } from '../node/api/openapi.ts';

const out = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
await writeFile(out, await openapiJson());
execFileSync(biome, ['format', '--write', out], { stdio: 'ignore' });
console.log(`wrote ${out}`);
