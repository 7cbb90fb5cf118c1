import { disable, enable, logger } from '@libp2p/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { componentLog, quietLogger } from '../../../node/p2p/logger.ts';

/** Whether a logger function prints (the library's `error` and `trace` carry `enabled` too, untyped). */
const on = (f: unknown): boolean => (f as { enabled: boolean }).enabled;

describe('quietLogger (libp2p component loggers)', () => {
  afterEach(() => disable());

  describe('while DEBUG names no component', () => {
    it('hands out a silent logger: not enabled, prints nothing, scopes below it silent too', () => {
      disable();
      const write = vi.spyOn(process.stderr, 'write');
      try {
        const log = quietLogger().forComponent('libp2p:yamux:stream:1');
        expect(log.enabled).toBe(false);
        expect(on(log.error)).toBe(false);
        expect(on(log.trace)).toBe(false);
        log('opened %s', 'x');
        log.error('failed %s', 'y');
        log.trace('frame');
        const sub = log.newScope('inbound');
        expect(sub.enabled).toBe(false);
        sub('more');
        expect(write).not.toHaveBeenCalled();
      } finally {
        write.mockRestore();
      }
    });
  });

  describe('when DEBUG names a component', () => {
    it("hands out the library's own logger for it, its :error or its :trace — and silent ones for the rest", () => {
      enable('libp2p:yamux*');
      const named = componentLog('libp2p:yamux:stream:2');
      expect(named.enabled).toBe(true);
      expect(on(named.error)).toBe(true);
      expect(named.enabled).toBe(logger('libp2p:yamux:stream:2').enabled);
      expect(componentLog('libp2p:tcp').enabled).toBe(false);

      enable('libp2p:noise:error');
      const errorsOnly = componentLog('libp2p:noise');
      expect(errorsOnly.enabled).toBe(false);
      expect(on(errorsOnly.error)).toBe(true);
    });

    it('a scope below a silent logger that DEBUG names prints (newScope asks again)', () => {
      enable('libp2p:gossipsub:score');
      const parent = componentLog('libp2p:gossipsub');
      expect(parent.enabled).toBe(false);
      expect(parent.newScope('score').enabled).toBe(true);
    });
  });
});
