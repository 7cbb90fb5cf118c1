/**
 * The API's JSON body parser: strict JSON (protocol/encoding/strict-json.ts), then fastify's hardened
 * parser (a `__proto__` key or a `constructor.prototype` is refused).
 *
 * A body (attacker-controlled, already bounded by the route's bodyLimit) is refused with 400 when JSON
 * would not carry it exactly: a key twice in one object (ERR_DUPLICATE_KEY), a number a 64-bit double
 * cannot hold exactly (ERR_LOSSY_NUMBER), a bidi control character in a key (ERR_BIDI_CONTROL); text
 * that is not JSON is ERR_INVALID_JSON. The scan is linear and allocates only for keys (docs/benchmarks.md
 * gives its cost on a 16 MiB batch).
 */
import type { FastifyInstance } from 'fastify';
import { checkStrictJson } from '../../protocol/encoding/strict-json.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { NodeError } from '../errors.ts';

export function installStrictJson(app: FastifyInstance): void {
  const hardened = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      checkStrictJson(body as string);
    } catch (err) {
      done(
        isGovfedError(err, 'ERR_INVALID_ENCODING')
          ? new NodeError('ERR_INVALID_JSON', err.message, { cause: err })
          : (err as Error),
        undefined,
      );
      return;
    }
    hardened(request, body as string, done);
  });
}
