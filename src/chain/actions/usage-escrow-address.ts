import type { ChainReader } from '../chain-client.ts'
import { DeploymentMissingError } from '../errors.ts'

/** The UsageEscrow's address from the deployment; older deployments without one fail with a hint. */
export function usageEscrowAddress(c: ChainReader): `0x${string}` {
  const address = c.deployment.usageEscrow
  if (address === undefined) {
    throw new DeploymentMissingError(
      'This deployment has no UsageEscrow: redeploy the contracts (or add `usageEscrow` to the deployment file).',
    )
  }
  return address
}
