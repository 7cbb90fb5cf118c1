/**
 * A contract file (docs/contracts.md "The contract file"): strict JSON (no duplicate keys: what is signed
 * is what the file says), then the terms' strict checker — an unknown field is ERR_INVALID_CONTRACT
 * (exit 1), never dropped: a node must not ignore a condition it does not know.
 */
import { type ContractTerms, checkContractTerms } from '../protocol/registry/index.ts';
import { readJsonFile } from './commands/policy-view.ts';

export async function readContractFile(command: string, file: string): Promise<ContractTerms> {
  return checkContractTerms(await readJsonFile(command, file));
}
