import { zeroAddress } from 'viem'
import { createChainAccess } from '../../src/node/chain-clients.ts'

/** Chain access before any contract exists (to deploy them, or a token): a deployment of zero addresses. */
export function bootstrapAccess(rpcUrl: string, chainId = 31337) {
  return createChainAccess({
    rpcUrl,
    deployment: {
      chainId,
      modelRegistry: zeroAddress,
      nodeRegistry: zeroAddress,
      implementations: { shares: zeroAddress, timelock: zeroAddress, governor: zeroAddress },
      deployedAtBlock: '0',
    },
  })
}
