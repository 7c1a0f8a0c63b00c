import { keccak256, stringToHex } from 'viem'

/**
 * The bytes32 id of a data-use purpose (DatasetRegistry purposes, a job's purpose): a 0x-prefixed 32-byte
 * hex id as is, any other name as keccak256 of its UTF-8 lower case ("research" and "Research" are one).
 * @example purposeId('research') // keccak256("research")
 */
export function purposeId(purpose: string): `0x${string}` {
  if (/^0x[0-9a-fA-F]{64}$/.test(purpose)) return purpose.toLowerCase() as `0x${string}`
  return keccak256(stringToHex(purpose.trim().toLowerCase()))
}
