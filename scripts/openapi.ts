#!/usr/bin/env node
/**
 * `npm run openapi`: writes docs/openapi.json from the node API's route schemas, formatted by the
 * project's formatter (biome) so that `npm run lint` accepts it, and the console's API types generated
 * from it (console/logic/api-schema.d.ts, scripts/openapi-types.ts).
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openapiJson } from '../node/api/openapi.ts';
import { openapiTypes } from './openapi-types.ts';

const out = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
const types = fileURLToPath(new URL('../console/logic/api-schema.d.ts', import.meta.url));
const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
const json = await openapiJson();
await writeFile(out, json);
execFileSync(biome, ['format', '--write', out], { stdio: 'ignore' });
console.log(`wrote ${out}`);
await writeFile(types, await openapiTypes(JSON.parse(json)));
console.log(`wrote ${types}`);
