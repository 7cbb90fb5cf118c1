import { afterEach, describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../../protocol/encoding/bytes.ts';
import { formatAddCheckpoint } from '../../../protocol/witness/request.ts';
import { encodeWitnessMessage, WITNESS_PROTOCOL } from '../../../protocol/witness/witness-protocol.ts';
import { type Rig, type RigNode, startRig, until } from './rig.ts';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

async function ask(n: RigNode, req: Uint8Array): Promise<Record<string, unknown>> {
  const handler = n.witness.protocols?.[WITNESS_PROTOCOL];
  if (handler === undefined) throw new Error('no witness protocol');
  return JSON.parse(fromUtf8(await handler.handle(req, ''))) as Record<string, unknown>;
}

describe('/govfed/witness/1.0.0, answering (witness-server.ts)', () => {
  it('answers every request with cosignatures, witnessed notes or a typed refusal with its tlog-witness status', async () => {
    rig = await startRig([0, 1], { witness: 1 });
    const [a, b] = rig.nodes as [RigNode, RigNode];
    const size = await rig.grow(0, 3);
    await until("b to cosign a's checkpoint", () =>
      b.witness.origins().some((o) => o.origin === a.origin && o.cosignedSize === size),
    );
    const note = a.log.checkpoint().note;
    const add = (oldSize: number, body?: string) =>
      encodeWitnessMessage({ type: 'add-checkpoint', body: body ?? formatAddCheckpoint({ oldSize, proof: [], note }) });
    // the same checkpoint again: its cosignature lines
    const ok = await ask(b, add(size));
    expect(ok.type).toBe('cosignatures');
    expect(String(ok.lines)).toMatch(/^— /);
    // a stale old size: 409 with the recorded size
    expect(await ask(b, add(0))).toMatchObject({ type: 'error', code: 'ERR_OLD_SIZE_MISMATCH', status: 409, size });
    // a malformed tlog-witness body: 400
    expect(await ask(b, add(0, 'old x\n\n'))).toMatchObject({ code: 'ERR_MALFORMED_WITNESS_REQUEST', status: 400 });
    // not a request at all: 400 ERR_INVALID_INPUT
    expect(await ask(b, utf8('{"type":"nope"}'))).toMatchObject({ code: 'ERR_INVALID_INPUT', status: 400 });
    // get-witnessed: b's witnessed and cosigned notes, a's among them
    const w = await ask(b, encodeWitnessMessage({ type: 'get-witnessed' }));
    expect(w.type).toBe('witnessed');
    expect((w.notes as string[]).some((x) => x.startsWith(`${a.origin}\n${size}\n`))).toBe(true);
    // stopped: 503
    await b.witness.stop();
    try {
      expect(await ask(b, add(size))).toMatchObject({ code: 'ERR_SHUTTING_DOWN', status: 503 });
    } finally {
      await b.witness.start();
    }
  });
});
