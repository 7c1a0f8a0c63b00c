import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ReleaseGate } from '../generated/artifacts.ts'
import { releaseGateAddress } from './release-gate-address.ts'

/** One requirement of a release policy (threshold fixed point, 6 decimals). */
export interface ReleaseRequirement {
  evaluation: string
  /** true: a value at most the threshold passes (perplexity); false: at least (a pass rate). */
  atMost: boolean
  threshold: bigint
  attestations: number
}

/** One evaluator's attested result for a version, and whether governance approves the evaluator now. */
export interface VersionAttestation {
  evaluator: `0x${string}`
  evaluation: string
  value: bigint
  reportHash: `0x${string}`
  reportURI: string
  attestedAt: bigint
  approved: boolean
}

/** A model's release policy (empty: no evaluation needed). */
export async function getReleasePolicy(c: ChainReader, modelId: bigint): Promise<ReleaseRequirement[]> {
  try {
    const address = await releaseGateAddress(c)
    const rs = await c.public.readContract({
      address,
      abi: ReleaseGate.abi,
      functionName: 'getReleasePolicy',
      args: [modelId],
    })
    return rs.map((r) => ({ ...r }))
  } catch (err) {
    throw translateChainError(err, `Reading the release policy of model ${modelId}`)
  }
}

/** The attestations recorded for a version, each marked with its evaluator's approval now. */
export async function getAttestations(
  c: ChainReader,
  p: { modelId: bigint; versionId: bigint },
): Promise<VersionAttestation[]> {
  try {
    const address = await releaseGateAddress(c)
    const list = await c.public.readContract({
      address,
      abi: ReleaseGate.abi,
      functionName: 'getAttestations',
      args: [p.modelId, p.versionId],
    })
    return Promise.all(
      list.map(async (a) => ({
        ...a,
        approved: await isApprovedEvaluator(c, { modelId: p.modelId, evaluator: a.evaluator }),
      })),
    )
  } catch (err) {
    throw translateChainError(err, `Reading the attestations of version ${p.versionId} of model ${p.modelId}`)
  }
}

/** Whether governance approves the evaluator for the model now. */
export async function isApprovedEvaluator(
  c: ChainReader,
  p: { modelId: bigint; evaluator: `0x${string}` },
): Promise<boolean> {
  const address = await releaseGateAddress(c)
  return c.public.readContract({
    address,
    abi: ReleaseGate.abi,
    functionName: 'approvedEvaluator',
    args: [p.modelId, p.evaluator],
  })
}

/** Whether the version meets the model's release policy now (what publishVersion checks). */
export async function isReleasable(
  c: ChainReader,
  p: { modelId: bigint; versionId: bigint },
): Promise<boolean> {
  try {
    const address = await releaseGateAddress(c)
    return await c.public.readContract({
      address,
      abi: ReleaseGate.abi,
      functionName: 'isReleasable',
      args: [p.modelId, p.versionId],
    })
  } catch (err) {
    throw translateChainError(
      err,
      `Checking the release policy for version ${p.versionId} of model ${p.modelId}`,
    )
  }
}
