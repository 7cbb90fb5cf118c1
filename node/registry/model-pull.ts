/**
 * The registry's anti-entropy round (`/govfed/models/1.0.0`, protocol/registry/model-sync.ts): this node
 * pages through each round member's records from where it stopped last time (a cursor per peer; an
 * answerer whose count went below the cursor lost records — start again at 0) and offers each record like
 * a gossiped one. A record that fails its checks is rejected against the peer that sent it.
 *
 * A member whose hello head (node/federation/heads.ts; `recordsHead` of its list) is the one it had when
 * we last reached the end of its list is not asked: it took no record since.
 */
import { isGovfedError } from '../../protocol/errors.ts';
import type { Head } from '../../protocol/federation/index.ts';
import {
  decodeModelsPage,
  encodeModelsHello,
  MAX_MODELS_FRAME,
  MODELS_PROTOCOL,
  type RegistryRecord,
} from '../../protocol/registry/model-sync.ts';
import { errorText } from '../chain/index.ts';
import { headOf, sameHead } from '../federation/heads.ts';
import type { FederationContext } from '../federation/module.ts';

/** Where this node stands in one member's list: the next index, and its head when we reached the end. */
export interface Cursor {
  next: number;
  end?: Head;
}

/**
 * The head of a record list of `count` records whose last is `last` (the models sync kind): its length and
 * its last record's signatures.
 */
export function recordsHead(count: number, last: RegistryRecord | undefined): Head {
  const sigs = last?.envelope.signatures.map((s) => `${s.keyid}:${s.sig}`).join(' ');
  return headOf(count, last === undefined ? [] : [`${last.kind} ${sigs}`]);
}

const REQUEST_TIMEOUT_MS = 5000;

export async function pullRecords(
  ctx: FederationContext,
  peers: readonly string[],
  cursors: Map<string, Cursor>,
  offer: (record: RegistryRecord) => void,
): Promise<void> {
  await Promise.all(
    peers.map(async (peer) => {
      const at = cursors.get(peer);
      if (sameHead(ctx.peerHead?.(peer, 'models'), at?.end)) return; // nothing taken since we were at its end
      try {
        const from = at?.next ?? 0;
        const bytes = await ctx.request(
          peer,
          MODELS_PROTOCOL,
          encodeModelsHello(from),
          MAX_MODELS_FRAME,
          REQUEST_TIMEOUT_MS,
        );
        const page = decodeModelsPage(bytes);
        cursors.set(peer, cursorAfter(page, from, at));
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

/**
 * The cursor after one page asked from `from`: at its end, the answerer's head as the page shows it (its
 * last record, or the end we knew when the page brought none); lost records start again at 0.
 */
function cursorAfter(
  page: { records: RegistryRecord[]; next: number; total: number },
  from: number,
  at?: Cursor,
): Cursor {
  if (page.total < from) return { next: 0 };
  if (page.next < page.total) return { next: page.next };
  if (page.records.length > 0) return { next: page.next, end: recordsHead(page.total, page.records.at(-1)) };
  if (page.total === 0) return { next: 0, end: recordsHead(0, undefined) };
  return at?.end === undefined ? { next: page.next } : { next: page.next, end: at.end };
}
