/**
 * An ingest worker thread (pool.ts starts them): parses, checks, evaluates and seals whole requests of
 * POST /v1/decisions while the main thread owns the log. The work is sealer.ts' and body.ts' — the code
 * the single-threaded path runs — with this node's policy copied in (the `rules` message, swapped into
 * a PolicyEnforcer like node/policy's) and everything else that is state handed over per request by the
 * main thread: the resolved models, `now`, the random bytes and the kill-switch state's age. So a request
 * seals here exactly as it would on the main thread (test/node/decisions/pool.test.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isGovfedError } from '../../protocol/errors.ts';
import { nodeValue } from '../../protocol/policy/hooks.ts';
import { decisionKeyParts, fastLeafHash } from '../log/index.ts';
import { PolicyEnforcer } from '../policy/enforcement.ts';
import type { ResolvedModel } from '../registry/model-book.ts';
import { parseDecisionsBody } from './body.ts';
import type { FromWorker, IngestWorkerData, SealedReply, ToWorker } from './ingest-messages.ts';
import { entryAfterIndex } from './reply.ts';
import {
  type CheckedInput,
  DecisionSealer,
  indexFactsOf,
  observationsOf,
  randomBytesFor,
  talliesOf,
} from './sealer.ts';

const data = workerData as IngestWorkerData;
const port = parentPort;
if (port === null) throw new Error('node/decisions/worker.ts runs as a worker thread');

let now = 0;
let allowed = 0;
let denied = 0;
const enforcer = new PolicyEnforcer({
  node: nodeValue({ org: data.org, jurisdiction: data.jurisdiction }),
  now: () => new Date(now),
  onEvaluated: (ok) => {
    if (ok) allowed++;
    else denied++;
  },
});
const sealer = new DecisionSealer({
  policy: data.policy ? enforcer : undefined,
  jurisdiction: data.jurisdiction,
  org: data.org,
});
const checkedRequests = new Map<number, CheckedInput[]>();

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(msg, transfer);
}

function failed(id: number, err: unknown): FromWorker {
  return isGovfedError(err)
    ? { t: 'failed', id, code: err.code, message: err.message }
    : { t: 'failed', id, message: err instanceof Error ? err.message : String(err) };
}

/** n bytes at a time from what the main thread drew from its CSPRNG, in sealing's order. */
function drawFrom(bytes: Uint8Array): (n: number) => Uint8Array {
  let at = 0;
  return (n) => {
    if (at + n > bytes.length)
      throw new Error(`ingest worker: sealing drew more than the ${bytes.length} random bytes given`);
    at += n;
    return bytes.subarray(at - n, at);
  };
}

function check(id: number, body: Uint8Array): void {
  const checked = sealer.check(parseDecisionsBody(body));
  checkedRequests.set(id, checked);
  const refs = data.models ? [...new Set(checked.map((c) => c.checked.model))] : [];
  post({ t: 'checked', id, refs, random: randomBytesFor(checked) });
}

function seal(m: Extract<ToWorker, { t: 'seal' }>): void {
  const checked = checkedRequests.get(m.id);
  checkedRequests.delete(m.id);
  if (checked === undefined) throw new Error(`ingest worker: request ${m.id} was not checked here`);
  now = m.now;
  allowed = 0;
  denied = 0;
  const resolved = new Map<string, ResolvedModel>(m.resolved);
  const sealed = sealer.seal(checked, new Date(m.now), {
    random: drawFrom(m.random),
    models: data.models ? { resolve: (ref) => resolved.get(ref) as ResolvedModel } : undefined,
    revocationAgeMs: () => m.revocationAgeMs,
  });
  let total = 0;
  for (const s of sealed) total += s.sealed.leafBytes.length + s.sealed.recordBytes.length;
  const bytes = new Uint8Array(total);
  const ends = new Uint32Array(2 * sealed.length);
  const hashes = new Uint8Array(32 * sealed.length);
  const keys: string[] = [];
  const keyEnds = new Uint32Array(2 * sealed.length);
  const entries: string[] = new Array(sealed.length);
  let at = 0;
  for (let i = 0; i < sealed.length; i++) {
    const s = sealed[i] as (typeof sealed)[number];
    bytes.set(s.sealed.leafBytes, at);
    at += s.sealed.leafBytes.length;
    ends[2 * i] = at;
    bytes.set(s.sealed.recordBytes, at);
    at += s.sealed.recordBytes.length;
    ends[2 * i + 1] = at;
    const lh = fastLeafHash(s.sealed.leafBytes);
    hashes.set(lh, 32 * i);
    const parts = decisionKeyParts(indexFactsOf(s.sealed), lh);
    for (const k of parts.fixed) keys.push(k);
    keyEnds[2 * i] = keys.length;
    for (const k of parts.positional) keys.push(k);
    keyEnds[2 * i + 1] = keys.length;
    const reply: SealedReply = {};
    if (s.verdict !== undefined) reply.verdict = s.verdict;
    if (s.model !== undefined) reply.model = s.model;
    entries[i] = entryAfterIndex(lh, reply);
  }
  const observations = observationsOf(sealed);
  const tallies = talliesOf(sealed);
  post({ t: 'sealed', id: m.id, bytes, ends, hashes, keys, keyEnds, entries, allowed, denied, observations, tallies }, [
    bytes.buffer,
    ends.buffer,
    hashes.buffer,
    keyEnds.buffer,
  ]);
}

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'rules':
      enforcer.swap(m.rules.baseline, m.rules.local);
      return;
    case 'drop':
      checkedRequests.delete(m.id);
      return;
    case 'check':
      try {
        check(m.id, m.body);
      } catch (err) {
        post(failed(m.id, err));
      }
      return;
    case 'seal':
      try {
        seal(m);
      } catch (err) {
        post(failed(m.id, err));
      }
      return;
  }
});
