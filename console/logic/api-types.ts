/**
 * The console's names for the node API's types, taken from console/logic/api-schema.d.ts — generated from
 * the routes' own schemas (`npm run openapi`, scripts/openapi-types.ts). Each view type picks the fields
 * its page reads, so a page depends on no more than it uses while a field renamed or retyped in a route's
 * schema fails the console's type check (`npm run typecheck`). Types only: nothing here runs.
 */
import type { paths } from './api-schema.d.ts';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body of the 200 answer of `method` on `path`. */
export type ApiOk<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'delete' = 'get'> = JsonOf<
  NonNullable<paths[P][M]> extends { responses: { 200: infer R } } ? R : never
>;

/** The element type of an array type. */
export type Item<A> = A extends readonly (infer T)[] ? T : never;
