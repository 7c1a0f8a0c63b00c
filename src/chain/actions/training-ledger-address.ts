import type { ChainReader } from '../chain-client.ts'
import { DeploymentMissingError } from '../errors.ts'

/** The TrainingLedger's address from the deployment; older deployments without one fail with a hint. */
export function trainingLedgerAddress(c: ChainReader): `0x${string}` {
  const address = c.deployment.trainingLedger
  if (address === undefined) {
    throw new DeploymentMissingError(
      'This deployment has no TrainingLedger: redeploy the contracts (or add `trainingLedger` to the deployment file).',
    )
  }
  return address
}
