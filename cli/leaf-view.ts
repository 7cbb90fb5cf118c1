/**
 * How a log leaf is shown to people: the fields of a decision or governance leaf as key/value pairs.
 * Leaf fields come from the log or from a bundle file (attacker-controlled); output.ts escapes them.
 */
import type { Leaf } from '../protocol/audit/leaf.ts';

export function leafPairs(leaf: Leaf): [string, unknown][] {
  if (leaf.type === 'decision') {
    const pairs: [string, unknown][] = [
      ['type', 'decision'],
      ['model', leaf.model],
      ['decision id', leaf.decisionId],
      ['time', leaf.time],
      ['outcome', leaf.outcome],
      ['record digest', leaf.recordDigest],
    ];
    if (leaf.policyVersion !== undefined) {
      // 0: the node enforces policy but no baseline was in force (its API answered policyVersion null)
      pairs.push(['policy version', leaf.policyVersion === 0 ? '0 (no baseline in force)' : leaf.policyVersion]);
    }
    if (leaf.verdict !== undefined) pairs.push(['verdict', leaf.verdict]);
    if (leaf.deny !== undefined) pairs.push(['denied by', leaf.deny.join(', ')]);
    return pairs;
  }
  const pairs: [string, unknown][] = [
    ['type', 'governance'],
    ['kind', leaf.kind],
    ['time', leaf.time],
    ['digest', leaf.digest],
  ];
  if (leaf.ref !== undefined) pairs.push(['ref', leaf.ref]);
  return pairs;
}
