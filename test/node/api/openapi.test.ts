import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openapiDocument, openapiJson } from '../../../node/api/openapi.ts';
import { openapiTypes } from '../../../scripts/openapi-types.ts';
import { repoPath } from '../../helpers/paths.ts';

describe('openapiDocument', () => {
  describe('when generated from the route schemas', () => {
    it('documents every route with its responses and bearer security', async () => {
      const doc = (await openapiDocument()) as {
        paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
      };
      const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([m, op]) => ({ path, m, op })),
      );
      expect(ops.length).toBeGreaterThanOrEqual(13);
      for (const { path, op } of ops) {
        expect(Object.keys(op.responses), path).toEqual(expect.arrayContaining(['200', '4XX', '5XX']));
        // Public by design: /healthz, /readyz, the C2SP tlog-witness endpoint (it authenticates the checkpoint)
        // and the C2SP tlog-tiles read endpoints (a log is verifiable by anyone, and mirrored to static hosts),
        // and the web console's files (they hold no data: every page reads the API with the person's token).
        const publicRoutes = [
          '/healthz',
          '/readyz',
          '/v1/witness/add-checkpoint',
          '/checkpoint',
          '/tile/{*}',
          '/',
          '/console/{file}',
        ];
        if (!publicRoutes.includes(path)) expect(op.security, path).toEqual([{ bearer: [] }]);
      }
    });
  });
});

describe('docs/openapi.json', () => {
  describe('when compared with the generated document', () => {
    it('is up to date (run `npm run openapi` after changing a schema)', async () => {
      const onDisk = JSON.parse(await readFile(repoPath('docs', 'openapi.json'), 'utf8'));
      expect(onDisk).toEqual(JSON.parse(await openapiJson()));
    });
  });
});

describe('console/logic/api-schema.d.ts', () => {
  describe('when compared with the types generated from the document', () => {
    it('is up to date (run `npm run openapi` after changing a schema)', async () => {
      const onDisk = await readFile(repoPath('console', 'logic', 'api-schema.d.ts'), 'utf8');
      const generated = await openapiTypes(JSON.parse(await openapiJson()));
      expect(onDisk === generated, 'console/logic/api-schema.d.ts differs from `npm run openapi`').toBe(true);
    });

    it('types the routes the console reads', async () => {
      const onDisk = await readFile(repoPath('console', 'logic', 'api-schema.d.ts'), 'utf8');
      for (const route of ['/v1/federation', '/v1/models', '/v1/decisions', '/v1/policy/status']) {
        expect(onDisk).toContain(`"${route}": {`);
      }
    });
  });
});
