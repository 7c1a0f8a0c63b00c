import { bytesToHex, type Hex } from 'viem'
import type { ChainReader, ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { REGISTER_GAS_HEADROOM } from '../constants.ts'
import { translateChainError } from '../errors.ts'
import { NodeRegistry } from '../generated/artifacts.ts'

export interface NodeInfo {
  address: `0x${string}`
  /** PeerId bytes as the contract derived them from the node's public key. */
  peerIdBytes: Hex
  multiaddrs: string[]
  capabilities: string[]
  registeredAt: bigint
  updatedAt: bigint
}

/** Registers (or updates) the sending node. `publicKey` is the 64-byte uncompressed secp256k1 key (x || y). */
export async function registerNode(
  c: ChainWriter,
  p: { publicKey: Uint8Array; multiaddrs: string[]; capabilities: string[] },
): Promise<`0x${string}`> {
  const receipt = await confirmTransaction(c, 'Registering the node', async () => {
    const call = {
      account: c.wallet.account,
      address: c.deployment.nodeRegistry,
      abi: NodeRegistry.abi,
      functionName: 'register',
      args: [bytesToHex(p.publicKey), p.multiaddrs, p.capabilities],
    } as const
    const { request } = await c.public.simulateContract(call)
    // Headroom over the estimate: re-registering stores block.timestamp, which costs little when the
    // estimate ran in the same second as the last registration and much more if the block lands in the
    // next one; without it the transaction can run out of gas and revert.
    const gas = await c.public.estimateContractGas(call)
    return c.wallet.writeContract({ ...request, gas: gas + gas / 4n + REGISTER_GAS_HEADROOM })
  })
  return receipt.transactionHash
}

/** Whether an address is a registered node. */
export async function isRegisteredNode(c: ChainReader, address: `0x${string}`): Promise<boolean> {
  try {
    return await c.public.readContract({
      address: c.deployment.nodeRegistry,
      abi: NodeRegistry.abi,
      functionName: 'isRegistered',
      args: [address],
    })
  } catch (err) {
    throw translateChainError(err, 'Checking node registration')
  }
}

/** Lists all registered nodes. */
export async function listNodes(c: ChainReader): Promise<NodeInfo[]> {
  try {
    const registry = { address: c.deployment.nodeRegistry, abi: NodeRegistry.abi } as const
    const addresses = await c.public.readContract({ ...registry, functionName: 'nodeAddresses' })
    return await Promise.all(
      addresses.map(async (address) => {
        const n = await c.public.readContract({ ...registry, functionName: 'getNode', args: [address] })
        return {
          address,
          peerIdBytes: n.peerId,
          multiaddrs: [...n.multiaddrs],
          capabilities: [...n.capabilities],
          registeredAt: n.registeredAt,
          updatedAt: n.updatedAt,
        }
      }),
    )
  } catch (err) {
    throw translateChainError(err, 'Listing nodes')
  }
}
