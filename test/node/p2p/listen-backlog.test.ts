/**
 * The listener's accept queue (admission.ts LISTEN_BACKLOG): while a node's event loop is busy, at most
 * about LISTEN_BACKLOG dials complete their TCP handshake and wait in the queue; the kernel drops the
 * others' SYNs, so a dialer that gives up leaves no dead connection queued ahead of later ones. A real
 * Host in a child process (blocked-host.ts) whose event loop is then blocked for 4 s; 60 raw TCP dials.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LISTEN_BACKLOG } from '../../../node/p2p/admission.ts';

const DIALS = 60;

describe('a node whose event loop is busy', () => {
  it(`queues at most about LISTEN_BACKLOG (${LISTEN_BACKLOG}) dials; the kernel holds back the rest`, async () => {
    const script = new URL('./blocked-host.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, [script], {
      cwd: new URL('../../..', import.meta.url).pathname,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (b) => {
        out += b;
        const m = /port (\d+)/.exec(out);
        if (m !== null) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`the host exited (${code}) before listening`)));
    });
    child.stdin.write('block\n');
    await new Promise((r) => setTimeout(r, 300)); // the host is now inside its 4 s busy loop
    let connected = 0;
    const sockets = Array.from({ length: DIALS }, () => {
      const s = connect(port, '127.0.0.1', () => connected++);
      s.on('error', () => {});
      return s;
    });
    await new Promise((r) => setTimeout(r, 2000));
    const whileBlocked = connected;
    for (const s of sockets) s.destroy();
    await new Promise((r) => child.once('exit', r));
    // The handshake completes for the queue's length (+1: Linux admits one past it), no more.
    expect(whileBlocked).toBeGreaterThanOrEqual(1);
    expect(whileBlocked).toBeLessThanOrEqual(LISTEN_BACKLOG + 2);
  }, 30_000);
});
