import { type Hex, hexToBytes, keccak256 } from 'viem'
import type { ChainReader } from '../chain-client.ts'
import type { Deployment } from '../deployment.ts'
import { translateChainError } from '../errors.ts'
import * as artifacts from '../generated/artifacts.ts'

/** A contract of a deployment whose code is not what this version of Model Commons compiles. */
export interface CodeMismatch {
  name: string
  address: `0x${string}`
  reason: 'no code' | 'different code'
}

type Artifact = { runtimeCodeHash: Hex; immutableRanges: ReadonlyArray<readonly [number, number]> }

/** The contracts of a deployment and the artifact each must match. */
function expected(d: Deployment): { name: string; address?: `0x${string}`; artifact: Artifact }[] {
  return [
    { name: 'ModelRegistry', address: d.modelRegistry, artifact: artifacts.ModelRegistry },
    { name: 'NodeRegistry', address: d.nodeRegistry, artifact: artifacts.NodeRegistry },
    { name: 'TrainingLedger', address: d.trainingLedger, artifact: artifacts.TrainingLedger },
    { name: 'UsageTerms', address: d.usageTerms, artifact: artifacts.UsageTerms },
    { name: 'UsageEscrow', address: d.usageEscrow, artifact: artifacts.UsageEscrow },
    { name: 'CommonsMembership', address: d.commonsMembership, artifact: artifacts.CommonsMembership },
    { name: 'ModelShares', address: d.implementations.shares, artifact: artifacts.ModelShares },
    { name: 'ModelTimelock', address: d.implementations.timelock, artifact: artifacts.ModelTimelock },
    { name: 'ModelGovernor', address: d.implementations.governor, artifact: artifacts.ModelGovernor },
  ]
}

/** Runtime code with its immutables zeroed, as solc leaves them in the artifact the hash was taken of. */
export function codeHashWithoutImmutables(code: Hex, ranges: ReadonlyArray<readonly [number, number]>): Hex {
  const bytes = hexToBytes(code)
  for (const [start, length] of ranges) bytes.fill(0, start, Math.min(start + length, bytes.length))
  return keccak256(bytes)
}

/**
 * Compares the code at every address of a deployment with the contracts this version compiles (immutables
 * masked: they hold constructor arguments). Returns the mismatches; none means the deployment is ours.
 */
export async function verifyDeploymentCode(c: ChainReader): Promise<CodeMismatch[]> {
  const mismatches: CodeMismatch[] = []
  for (const { name, address, artifact } of expected(c.deployment)) {
    if (address === undefined) continue
    let code: Hex | undefined
    try {
      code = await c.public.getCode({ address })
    } catch (err) {
      throw translateChainError(err, `Reading the code of ${name}`)
    }
    if (code === undefined || code === '0x') mismatches.push({ name, address, reason: 'no code' })
    else if (codeHashWithoutImmutables(code, artifact.immutableRanges) !== artifact.runtimeCodeHash)
      mismatches.push({ name, address, reason: 'different code' })
  }
  return mismatches
}
