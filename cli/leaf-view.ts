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
    if (leaf.policyVersion !== undefined) pairs.push(['policy version', leaf.policyVersion]);
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
