import { describe, expect, it } from 'vitest';
import { MIN_NODE_MAJOR, nodeVersionProblem } from '../../cli/node-version.ts';

describe('nodeVersionProblem', () => {
  describe('when Node.js is new enough', () => {
    it.each(['22.18.0', '24.9.0', '30.0.0', process.versions.node])('accepts %s', (v) => {
      expect(nodeVersionProblem(v)).toBeUndefined();
    });
  });

  describe('when Node.js is too old', () => {
    it.each(['20.20.2', '18.0.0', '21.99.0', 'garbage'])('explains %s', (v) => {
      expect(nodeVersionProblem(v)).toContain(`Node.js ${MIN_NODE_MAJOR} or newer`);
    });
  });
});
