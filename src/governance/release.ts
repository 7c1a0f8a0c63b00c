import {
  attestVersion,
  getAttestations,
  getReleasePolicy,
  isReleasable,
  listVersions,
} from '../chain/index.ts'
import { InvalidInputError } from '../errors.ts'
import type { GovernanceContext } from './context.ts'
import { formatFixedPoint } from './release-schemas.ts'
import { type AttestInput, attestInput, parseInput } from './schemas.ts'

const ZERO_HASH = `0x${'0'.repeat(64)}` as const

/** A model's release policy as people read it. */
export async function releasePolicy(c: GovernanceContext, idOrName: string) {
  const model = await c.directory.ref(idOrName)
  const requirements = await getReleasePolicy(c.reader, model.id)
  return {
    modelId: model.id.toString(),
    requirements: requirements.map((r) => ({
      evaluation: r.evaluation,
      bound: r.atMost ? ('max' as const) : ('min' as const),
      threshold: formatFixedPoint(r.threshold),
      attestations: r.attestations,
    })),
  }
}

/** A version's attestations (each marked with its evaluator's approval now) and whether its release is allowed. */
export async function versionRelease(c: GovernanceContext, modelId: bigint, versionId: bigint) {
  const [attestations, releasable] = await Promise.all([
    getAttestations(c.reader, { modelId, versionId }),
    isReleasable(c.reader, { modelId, versionId }),
  ])
  return {
    releasable,
    attestations: attestations.map((a) => ({
      evaluator: a.evaluator,
      evaluation: a.evaluation,
      value: formatFixedPoint(a.value),
      reportRoot: a.reportHash === ZERO_HASH ? undefined : a.reportHash,
      reportURI: a.reportURI || undefined,
      attestedAt: a.attestedAt.toString(),
      approved: a.approved,
    })),
  }
}

/**
 * Attests an evaluation result for a version, signed by the account (an evaluator the model's governance
 * approved; anyone else is refused by the chain).
 */
export async function attest(c: GovernanceContext, input: AttestInput) {
  const p = parseInput(attestInput, input)
  const model = await c.directory.ref(p.model)
  const versions = await listVersions(c.reader, model.id)
  if (p.versionId > BigInt(versions.length))
    throw new InvalidInputError(
      `Model ${model.name} has no version ${p.versionId} (it has ${versions.length}).`,
      {
        details: { field: 'versionId' },
      },
    )
  const writer = await c.writerFor(p.account)
  const transactionHash = await attestVersion(writer, {
    modelId: model.id,
    versionId: p.versionId,
    evaluation: p.evaluation,
    value: p.value,
    reportHash: p.reportRoot ?? ZERO_HASH,
    reportURI: p.reportURI ?? '',
  })
  return {
    modelId: model.id.toString(),
    versionId: p.versionId.toString(),
    evaluator: writer.wallet.account.address,
    evaluation: p.evaluation,
    value: formatFixedPoint(p.value),
    transactionHash,
    ...(await versionRelease(c, model.id, p.versionId)),
  }
}
