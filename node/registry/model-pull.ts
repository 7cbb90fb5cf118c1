/**
 * The registry's anti-entropy round (`/govfed/models/1.0.0`, protocol/registry/model-sync.ts): this node
 * pages through each round member's records from where it stopped last time (a cursor per peer; an
 * answerer whose count went below the cursor lost records — start again at 0) and offers each record like
 * a gossiped one. A record that fails its checks is rejected against the peer that sent it.
 */
import { isGovfedError } from '../../protocol/errors.ts';
import {
  decodeModelsPage,
  encodeModelsHello,
  MAX_MODELS_FRAME,
  MODELS_PROTOCOL,
  type RegistryRecord,
} from '../../protocol/registry/model-sync.ts';
import { errorText } from '../chain/index.ts';
import type { FederationContext } from '../federation/module.ts';

const REQUEST_TIMEOUT_MS = 5000;

export async function pullRecords(
  ctx: FederationContext,
  peers: readonly string[],
  cursors: Map<string, number>,
  offer: (record: RegistryRecord) => void,
): Promise<void> {
  await Promise.all(
    peers.map(async (peer) => {
      try {
        const from = cursors.get(peer) ?? 0;
        const bytes = await ctx.request(
          peer,
          MODELS_PROTOCOL,
          encodeModelsHello(from),
          MAX_MODELS_FRAME,
          REQUEST_TIMEOUT_MS,
        );
        const page = decodeModelsPage(bytes);
        cursors.set(peer, page.total < from ? 0 : page.next);
        for (const r of page.records) {
          try {
            offer(r);
          } catch (err) {
            ctx.reject('request', r.kind === 'registration' ? 'model' : r.kind, peer, err, 'reject');
          }
        }
      } catch (err) {
        if (isGovfedError(err)) ctx.reject('request', 'model', peer, err, 'reject');
        else ctx.events('registry:sync-failed', { peer, error: errorText(err) });
      }
    }),
  );
}
