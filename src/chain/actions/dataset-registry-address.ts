import type { ChainReader } from '../chain-client.ts'
import { DeploymentMissingError } from '../errors.ts'

/** The DatasetRegistry's address from the deployment; older deployments without one fail with a hint. */
export function datasetRegistryAddress(c: ChainReader): `0x${string}` {
  const address = c.deployment.datasetRegistry
  if (address === undefined) {
    throw new DeploymentMissingError(
      'This deployment has no DatasetRegistry: redeploy the contracts (or add `datasetRegistry` to the deployment file).',
    )
  }
  return address
}
