import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { writeFileAtomic } from '../atomic-file.ts'
import { DeploymentMissingError } from './errors.ts'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/) as unknown as z.ZodType<`0x${string}`>

/** Where the Model Commons contracts live on a chain. */
export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  modelRegistry: address,
  nodeRegistry: address,
  /** Optional so deployment files written before the TrainingLedger existed still parse. */
  trainingLedger: address.optional(),
  /** Optional so deployment files written before the DatasetRegistry existed still parse. */
  datasetRegistry: address.optional(),
  /** Optional so deployment files written before UsageTerms existed still parse (terms then cannot be accepted). */
  usageTerms: address.optional(),
  /** Optional so deployment files written before the UsageEscrow existed still parse. */
  usageEscrow: address.optional(),
  /** The ReleaseGate the ModelRegistry created; optional so older deployment files still parse. */
  releaseGate: address.optional(),
  /** The commons's membership and admission policy (its governor and timelock are read from it). Optional so older deployment files still parse (then every registered node is admitted). */
  commonsMembership: address.optional(),
  /** The ERC20 the UsageEscrow and ModelShares pay in (a record: the contracts' `currency()` is the truth); absent: native currency. */
  paymentToken: address.optional(),
  implementations: z.object({ shares: address, timelock: address, governor: address }),
  deployedAtBlock: z.string().regex(/^\d+$/),
})
export type Deployment = z.infer<typeof deploymentSchema>

/** Reads and validates a deployment file. */
export async function readDeployment(path: string): Promise<Deployment> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new DeploymentMissingError(
      `No deployment file at ${path}. With --rpc, pass --deployment <file> listing the contract addresses.`,
      { cause: err },
    )
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new DeploymentMissingError(`The deployment file ${path} is not JSON.`, { cause: err })
  }
  const parsed = deploymentSchema.safeParse(json)
  if (!parsed.success) {
    throw new DeploymentMissingError(
      `The deployment file ${path} is invalid: ${parsed.error.issues[0]?.message}`,
    )
  }
  return parsed.data
}

/** Writes a deployment file atomically. */
export function writeDeployment(path: string, d: Deployment): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(d, null, 2)}\n`, { mode: 0o644 })
}
