/** node/ha/roles.ts: a service by role, started and stopped only when its role holds at start. */
import { describe, expect, it } from 'vitest';
import { onlyWhen, roleTests } from '../../../node/ha/roles.ts';

describe('onlyWhen', () => {
  it('starts and stops the service only when active at start', async () => {
    const calls: string[] = [];
    const svc = { start: () => void calls.push('start'), stop: () => void calls.push('stop') };
    let active = false;
    const s = onlyWhen(() => active, svc);
    await s.start();
    await s.stop();
    expect(calls).toEqual([]);
    active = true;
    await s.start();
    active = false; // a role change after start does not leave the service running at stop
    await s.stop();
    await s.stop();
    expect(calls).toEqual(['start', 'stop']);
  });
});

describe('roleTests', () => {
  it('leads unless following; a log with one writer leads', () => {
    let role: 'leader' | 'follower' | undefined;
    const t = roleTests(() => role);
    expect([t.leading(), t.following()]).toEqual([true, false]);
    role = 'follower';
    expect([t.leading(), t.following()]).toEqual([false, true]);
    role = 'leader';
    expect([t.leading(), t.following()]).toEqual([true, false]);
  });
});
