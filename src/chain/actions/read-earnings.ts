import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelShares, UsageEscrow } from '../generated/artifacts.ts'
import { getModelContracts } from './get-model-contracts.ts'
import { usageEscrowAddress } from './usage-escrow-address.ts'

/** What an account can claim now, and its deposit as a consumer (all in wei). */
export interface Earnings {
  /** Serving revenue (UsageEscrow.claimNodeRevenue). */
  node: bigint
  /** Owner revenue per model asked for (ModelShares.claimRevenue). */
  owners: { modelId: bigint; claimable: bigint }[]
  /** Contributor revenue per (model, version) asked for (UsageEscrow.claimContributorRevenue). */
  contributors: { modelId: bigint; versionId: bigint; claimable: bigint }[]
  deposit: bigint
  withdrawal: { amount: bigint; availableAt: bigint } | undefined
}

/** Reads an account's claimable earnings for the given models and versions, and its escrow deposit. */
export async function readEarnings(
  c: ChainReader,
  account: `0x${string}`,
  p: { modelIds?: bigint[]; versions?: { modelId: bigint; versionId: bigint }[] } = {},
): Promise<Earnings> {
  const escrow = usageEscrowAddress(c)
  try {
    const [node, deposit, w] = await Promise.all([
      c.public.readContract({
        address: escrow,
        abi: UsageEscrow.abi,
        functionName: 'nodeEarningsOf',
        args: [account],
      }),
      c.public.readContract({
        address: escrow,
        abi: UsageEscrow.abi,
        functionName: 'depositOf',
        args: [account],
      }),
      c.public.readContract({
        address: escrow,
        abi: UsageEscrow.abi,
        functionName: 'withdrawalOf',
        args: [account],
      }),
    ])
    const owners = await Promise.all(
      (p.modelIds ?? []).map(async (modelId) => {
        const { shares } = await getModelContracts(c, modelId)
        const claimable = await c.public.readContract({
          address: shares,
          abi: ModelShares.abi,
          functionName: 'claimableRevenueOf',
          args: [account],
        })
        return { modelId, claimable }
      }),
    )
    const contributors = await Promise.all(
      (p.versions ?? []).map(async ({ modelId, versionId }) => {
        const claimable = await c.public.readContract({
          address: escrow,
          abi: UsageEscrow.abi,
          functionName: 'contributorClaimableOf',
          args: [modelId, versionId, account],
        })
        return { modelId, versionId, claimable }
      }),
    )
    const [amount, availableAt] = w
    const withdrawal = availableAt === 0n ? undefined : { amount, availableAt: BigInt(availableAt) }
    return { node, owners, contributors, deposit, withdrawal }
  } catch (err) {
    throw translateChainError(err, `Reading the earnings of ${account}`)
  }
}
