import { describe, expect, it } from 'vitest';
import { MIN_NODE, MIN_NODE_23, nodeVersionProblem, stripsTypesByDefault } from '../../cli/node-version.ts';

describe('nodeVersionProblem', () => {
  describe('when Node.js strips TypeScript types without a flag', () => {
    it.each(['22.18.0', '22.20.1', '23.6.0', '23.11.0', '24.0.0', '24.9.0', '30.0.0', process.versions.node])(
      'accepts %s',
      (v) => {
        expect(stripsTypesByDefault(v)).toBe(true);
        expect(nodeVersionProblem(v)).toBeUndefined();
      },
    );
  });

  describe('when Node.js would need a flag to run .ts, or cannot at all', () => {
    it.each(['22.0.0', '22.6.0', '22.17.1', '23.0.0', '23.5.9', '20.20.2', '18.0.0', '21.99.0', 'garbage', ''])(
      'explains %j, naming 22.18.0 and 23.6.0',
      (v) => {
        expect(stripsTypesByDefault(v)).toBe(false);
        const msg = nodeVersionProblem(v);
        expect(msg).toContain(`Node.js ${MIN_NODE} or newer`);
        expect(msg).toContain(MIN_NODE_23);
        expect(msg).toContain(`this is Node.js ${v}.`);
      },
    );
  });
});
