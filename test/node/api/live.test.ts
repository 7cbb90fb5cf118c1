import { describe, expect, it } from 'vitest';
import { LiveFeed, type LiveMessage, TOPIC_OF } from '../../../node/api/live.ts';
import { EVENT_NAMES } from '../../../node/events.ts';

describe('LiveFeed', () => {
  describe('when a listener subscribes', () => {
    it('receives what is published until it unsubscribes', () => {
      const feed = new LiveFeed();
      const got: LiveMessage[] = [];
      const off = feed.subscribe((m) => got.push(m));
      feed.publish('checkpoint', { size: 3 });
      off?.();
      feed.publish('checkpoint', { size: 4 });
      expect(got).toEqual([{ topic: 'checkpoint', data: { size: 3 } }]);
      expect(feed.size).toBe(0);
    });
  });

  describe('when the streams are at the bound', () => {
    it('refuses one more subscriber, and takes one again after one leaves', () => {
      const feed = new LiveFeed({ maxStreams: 2 });
      const a = feed.subscribe(() => {});
      expect(feed.subscribe(() => {})).toBeTypeOf('function');
      expect(feed.subscribe(() => {})).toBeUndefined();
      a?.();
      expect(feed.subscribe(() => {})).toBeTypeOf('function');
    });
  });

  describe('when a listener throws', () => {
    it('drops it and still reaches the others', () => {
      const feed = new LiveFeed();
      const got: string[] = [];
      feed.subscribe(() => {
        throw new Error('socket gone');
      });
      feed.subscribe((m) => got.push(m.topic));
      feed.publish('decision', { count: 1 });
      feed.publish('decision', { count: 2 });
      expect(got).toEqual(['decision', 'decision']);
      expect(feed.size).toBe(1);
    });
  });

  describe('fromEvent', () => {
    it('publishes a listed operator event under its topic with its scalar fields only', () => {
      const feed = new LiveFeed();
      const got: LiveMessage[] = [];
      feed.subscribe((m) => got.push(m));
      feed.fromEvent('policy:applied', { version: 2, digest: 'abc', via: 'gossip', rules: 5 });
      feed.fromEvent('witness:equivocation', { origin: 'o', alert: 'a', reporters: ['x'] });
      feed.fromEvent('daemon:started', { api: '127.0.0.1:1', size: 1, checkpointSize: 1 });
      expect(got).toEqual([
        { topic: 'policy', data: { what: 'policy:applied', version: 2, digest: 'abc', via: 'gossip', rules: 5 } },
        { topic: 'alert', data: { what: 'witness:equivocation', origin: 'o', alert: 'a' } },
      ]);
    });

    it('publishes a monitoring window as the topic monitoring, for the charts', () => {
      const feed = new LiveFeed();
      const got: LiveMessage[] = [];
      feed.subscribe((m) => got.push(m));
      feed.fromEvent('monitoring:window', {
        windowOrg: 'us',
        model: 'eu/fraud@1.0.0',
        monitor: 'denial_rate',
        seq: 3,
        decisions: 2,
        value: 1,
        breach: true,
        via: 'gossip',
      });
      expect(got).toEqual([
        {
          topic: 'monitoring',
          data: {
            what: 'monitoring:window',
            windowOrg: 'us',
            model: 'eu/fraud@1.0.0',
            monitor: 'denial_rate',
            seq: 3,
            decisions: 2,
            value: 1,
            breach: true,
            via: 'gossip',
          },
        },
      ]);
    });

    it('names only events of the catalogue', () => {
      for (const name of Object.keys(TOPIC_OF)) expect(EVENT_NAMES).toContain(name);
    });
  });
});
