import type { Hash } from 'viem'
import type { ChainReader, ChainWriter } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { UsageEscrow } from '../generated/artifacts.ts'
import { writeEscrow } from './escrow-write.ts'
import { usageEscrowAddress } from './usage-escrow-address.ts'

/** Lets `signer` (e.g. the node that serves the writer's API keys) sign vouchers paid from the writer's deposit. */
export async function authorizeEscrowSigner(c: ChainWriter, signer: `0x${string}`): Promise<Hash> {
  return (await writeEscrow(c, `Authorising ${signer} to sign vouchers`, 'authorizeSigner', [signer]))
    .transactionHash
}

/** Stops a signer; what it signed stays redeemable for the escrow's withdrawal delay. */
export async function revokeEscrowSigner(c: ChainWriter, signer: `0x${string}`): Promise<Hash> {
  return (await writeEscrow(c, `Revoking voucher signer ${signer}`, 'revokeSigner', [signer])).transactionHash
}

/** Whether `signer` may sign vouchers for `consumer` now. */
export async function isEscrowSigner(
  c: ChainReader,
  p: { consumer: `0x${string}`; signer: `0x${string}` },
): Promise<boolean> {
  try {
    return await c.public.readContract({
      address: usageEscrowAddress(c),
      abi: UsageEscrow.abi,
      functionName: 'isSigner',
      args: [p.consumer, p.signer],
    })
  } catch (err) {
    throw translateChainError(err, `Reading whether ${p.signer} signs for ${p.consumer}`)
  }
}

/** A consumer's deposit, and what one of its channels has already paid (all in wei). */
export async function readChannel(
  c: ChainReader,
  p: {
    consumer: `0x${string}`
    signer: `0x${string}`
    provider: `0x${string}`
    modelId: bigint
    versionId: bigint
  },
): Promise<{ deposit: bigint; redeemed: bigint }> {
  const address = usageEscrowAddress(c)
  try {
    const id = await c.public.readContract({
      address,
      abi: UsageEscrow.abi,
      functionName: 'channelId',
      args: [p.consumer, p.signer, p.provider, p.modelId, p.versionId],
    })
    const [deposit, redeemed] = await Promise.all([
      c.public.readContract({ address, abi: UsageEscrow.abi, functionName: 'depositOf', args: [p.consumer] }),
      c.public.readContract({ address, abi: UsageEscrow.abi, functionName: 'redeemedOf', args: [id] }),
    ])
    return { deposit, redeemed }
  } catch (err) {
    throw translateChainError(err, `Reading the payment channel of ${p.consumer}`)
  }
}
